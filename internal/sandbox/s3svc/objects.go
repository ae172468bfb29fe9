package s3svc

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

const kindObject = "s3.object"

// object is one stored object: the last version only (versioning is Off,
// as the Config item says). Body is base64 in the state log.
type object struct {
	Bucket       string    `json:"bucket"`
	Key          string    `json:"key"`
	Body         []byte    `json:"body"`
	ETag         string    `json:"etag"` // quoted MD5 hex, as S3 answers for single-part uploads
	ContentType  string    `json:"contentType,omitempty"`
	CRC32        string    `json:"crc32"` // base64 of the big-endian CRC-32, as x-amz-checksum-crc32
	LastModified time.Time `json:"lastModified"`
}

func objectID(bucket, key string) string { return bucket + "/" + key }

// maxKeyBytes is S3's object key limit (UTF-8 bytes).
const maxKeyBytes = 1024

func loadObjects(env *svc.Env, into map[string]*object) error {
	return env.State.Each(kindObject, func(id string, raw json.RawMessage) error {
		o := new(object)
		if err := json.Unmarshal(raw, o); err != nil {
			return fmt.Errorf("%s %s: %w", kindObject, id, err)
		}
		into[objectID(o.Bucket, o.Key)] = o
		return nil
	})
}

// putObject stores the body (aws-chunked bodies decoded) and answers its
// ETag. The sandbox's request limit (8 MiB) bounds the object size.
func (s *Service) putObject(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	if len(t.key) > maxKeyBytes {
		return awsproto.Errorf("KeyTooLongError", "Your key is too long")
	}
	body := decodeChunked(c.Req, c.Body)
	sum := md5.Sum(body)
	var crc [4]byte
	binary.BigEndian.PutUint32(crc[:], crc32.ChecksumIEEE(body))
	o := &object{Bucket: t.bucket, Key: t.key, Body: append([]byte(nil), body...), ETag: `"` + hex.EncodeToString(sum[:]) + `"`,
		CRC32:       base64.StdEncoding.EncodeToString(crc[:]),
		ContentType: c.Req.Header.Get("Content-Type"), LastModified: c.Now.UTC().Truncate(time.Second)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.owned(c, t.bucket, false); err != nil {
		return err
	}
	if err := s.env.State.Put(kindObject, objectID(o.Bucket, o.Key), o); err != nil {
		return &awsproto.Error{Status: 500, Code: "InternalError", Message: "the sandbox could not persist state: " + err.Error(), Server: true}
	}
	s.objects[objectID(o.Bucket, o.Key)] = o
	w.Header().Set("ETag", o.ETag)
	w.Header().Set("x-amz-request-id", c.RequestID)
	w.WriteHeader(http.StatusOK)
	return nil
}

// getObject answers the body; headObject the same headers without it.
func (s *Service) getObject(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	return s.readObject(w, c, t, true)
}

func (s *Service) headObject(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	return s.readObject(w, c, t, false)
}

func (s *Service) readObject(w http.ResponseWriter, c *svc.Call, t target, withBody bool) *awsproto.Error {
	s.mu.RLock()
	_, err := s.owned(c, t.bucket, false)
	o := s.objects[objectID(t.bucket, t.key)]
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	if o == nil {
		return &awsproto.Error{Status: http.StatusNotFound, Code: "NoSuchKey", Message: "The specified key does not exist.",
			Extra: map[string]string{"Key": t.key}}
	}
	if perr := preconditions(c.Req, o); perr != nil {
		return perr
	}
	h := w.Header()
	h.Set("ETag", o.ETag)
	h.Set("Last-Modified", o.LastModified.Format(http.TimeFormat))
	h.Set("Content-Length", strconv.Itoa(len(o.Body)))
	h.Set("Content-Type", contentType(o))
	h.Set("Accept-Ranges", "bytes")
	h.Set("x-amz-server-side-encryption", "AES256")
	// S3 keeps the full-object checksum of an upload and returns it when
	// asked; the SDK asks and validates the body against it.
	if strings.EqualFold(c.Req.Header.Get("x-amz-checksum-mode"), "ENABLED") {
		h.Set("x-amz-checksum-crc32", o.CRC32)
		h.Set("x-amz-checksum-type", "FULL_OBJECT")
	}
	h.Set("x-amz-request-id", c.RequestID)
	w.WriteHeader(http.StatusOK)
	if withBody {
		_, _ = w.Write(o.Body)
	}
	return nil
}

// preconditions applies If-Match as S3 does (412 PreconditionFailed), so a
// reader that read the ETag with HeadObject never gets a newer body under
// the old ETag. If-None-Match (304) is not served.
func preconditions(r *http.Request, o *object) *awsproto.Error {
	if m := r.Header.Get("If-Match"); m != "" && !etagListHas(m, o.ETag) {
		return &awsproto.Error{Status: http.StatusPreconditionFailed, Code: "PreconditionFailed",
			Message: "At least one of the pre-conditions you specified did not hold", Extra: map[string]string{"Condition": "If-Match"}}
	}
	return nil
}

func etagListHas(list, etag string) bool {
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		if v == "*" || v == etag || `"`+v+`"` == etag {
			return true
		}
	}
	return false
}

func contentType(o *object) string {
	if o.ContentType == "" {
		return "binary/octet-stream"
	}
	return o.ContentType
}

// hasObjects reports whether bucket holds any object. s.mu held.
func (s *Service) hasObjects(bucket string) bool {
	for _, o := range s.objects {
		if o.Bucket == bucket {
			return true
		}
	}
	return false
}
