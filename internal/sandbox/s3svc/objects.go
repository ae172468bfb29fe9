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
// as the Config item says). Body is what S3 stores: the plaintext for
// SSE-S3, nonce‖AES-256-GCM ciphertext under the KMS data key DataKey for
// SSE-KMS. Base64 in the state log.
type object struct {
	Bucket       string            `json:"bucket"`
	Key          string            `json:"key"`
	Body         []byte            `json:"body"`
	Size         int64             `json:"size"`
	ETag         string            `json:"etag"` // quoted MD5 hex of what is stored
	ContentType  string            `json:"contentType,omitempty"`
	CRC32        string            `json:"crc32"` // base64 big-endian CRC-32 of the plaintext, as x-amz-checksum-crc32
	LastModified time.Time         `json:"lastModified"`
	Metadata     map[string]string `json:"metadata,omitempty"` // x-amz-meta-* (lowercase names)
	Tags         map[string]string `json:"tags,omitempty"`
	StorageClass string            `json:"storageClass,omitempty"` // "" is STANDARD
	SSE          string            `json:"sse,omitempty"`          // "" (legacy) or AES256 is SSE-S3
	KMSKeyARN    string            `json:"kmsKeyArn,omitempty"`
	BucketKey    bool              `json:"bucketKey,omitempty"`
	DataKey      []byte            `json:"dataKey,omitempty"` // KMS ciphertext blob of the data key
	Context      map[string]string `json:"context,omitempty"` // caller's encryption context pairs
	// VersionID is "" in a bucket that never had versioning ("null").
	VersionID string     `json:"versionId,omitempty"`
	Retention *retention `json:"retention,omitempty"`
	LegalHold bool       `json:"legalHold,omitempty"`
}

func objectID(bucket, key string) string { return bucket + "/" + key }

// maxKeyBytes is S3's object key limit (UTF-8 bytes).
const maxKeyBytes = 1024

func (s *Service) loadObjects() error {
	return s.env.State.Each(kindObject, func(id string, raw json.RawMessage) error {
		o := new(object)
		if err := json.Unmarshal(raw, o); err != nil {
			return fmt.Errorf("%s %s: %w", kindObject, id, err)
		}
		if o.Size == 0 && o.SSE == "" {
			o.Size = int64(len(o.Body)) // written before Size was kept
		}
		s.index(o)
		return nil
	})
}

// putObject stores the body (aws-chunked bodies decoded), encrypted as
// the SSE headers or the bucket's default say, and answers its ETag. The
// sandbox's request limit (8 MiB) bounds the object size.
func (s *Service) putObject(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	if len(t.key) > maxKeyBytes {
		return awsproto.Errorf("KeyTooLongError", "Your key is too long")
	}
	attrs, err := parseAttrs(c.Req.Header)
	if err != nil {
		return err
	}
	sse, err := parseSSE(c.Req.Header)
	if err != nil {
		return err
	}
	cond, err := parseWriteCond(c.Req.Header)
	if err != nil {
		return err
	}
	guard, err := s.begin(cond, t.bucket, t.key)
	if err != nil {
		return err
	}
	body := decodeChunked(c.Req, c.Body)
	o := &object{Bucket: t.bucket, Key: t.key, ContentType: c.Req.Header.Get("Content-Type"),
		Metadata: attrs.metadata, Tags: attrs.tags, StorageClass: attrs.storageClass}
	if err := s.write(c, o, sse, body, guard); err != nil {
		return err
	}
	h := w.Header()
	h.Set("ETag", o.ETag)
	setSSEHeaders(h, o)
	h.Set("x-amz-request-id", c.RequestID)
	w.WriteHeader(http.StatusOK)
	return nil
}

// write seals body into o under the effective encryption and stores it.
// KMS is called outside the service lock; the bucket (and a conditional
// write's guard, see conditional.go) is checked again before the object
// is stored.
func (s *Service) write(c *svc.Call, o *object, sse sseRequest, body []byte, guards ...func(cur *object) *awsproto.Error) *awsproto.Error {
	s.mu.RLock()
	b, err := s.owned(c, o.Bucket, false)
	var def *Encryption
	if b != nil {
		def = b.Encryption
	}
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	if err := s.seal(c, o, sse.effective(def), body); err != nil {
		return err
	}
	stamp(o, body, c.Now)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.owned(c, o.Bucket, false); err != nil {
		return err
	}
	for _, g := range guards {
		if g == nil {
			continue
		}
		if err := g(s.objects[objectID(o.Bucket, o.Key)]); err != nil {
			return err
		}
	}
	return s.store(o)
}

// stamp sets what S3 computes on every write.
func stamp(o *object, plain []byte, now time.Time) {
	sum := md5.Sum(o.Body)
	var crc [4]byte
	binary.BigEndian.PutUint32(crc[:], crc32.ChecksumIEEE(plain))
	o.ETag, o.CRC32 = `"`+hex.EncodeToString(sum[:])+`"`, base64.StdEncoding.EncodeToString(crc[:])
	o.Size, o.LastModified = int64(len(plain)), now.UTC().Truncate(time.Second)
}

// store persists o and indexes it. s.mu held.
func (s *Service) store(o *object) *awsproto.Error {
	if err := s.newVersion(o); err != nil {
		return err
	}
	if err := s.env.State.Put(kindObject, objectID(o.Bucket, o.Key), o); err != nil {
		return &awsproto.Error{Status: 500, Code: "InternalError", Message: "the sandbox could not persist state: " + err.Error(), Server: true}
	}
	s.index(o)
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
	o, err := s.lookupVersion(c, t.bucket, t.key, c.Req.URL.Query().Get("versionId"))
	if err != nil {
		return err
	}
	if perr := preconditions(c.Req, o); perr != nil {
		return perr
	}
	var body []byte
	if withBody { // S3 calls KMS for GetObject only; HeadObject reads metadata
		if body, err = s.open(c, o); err != nil {
			return err
		}
	}
	h := w.Header()
	h.Set("ETag", o.ETag)
	h.Set("Last-Modified", o.LastModified.Format(http.TimeFormat))
	h.Set("Content-Length", strconv.FormatInt(o.Size, 10))
	h.Set("Content-Type", contentType(o))
	h.Set("Accept-Ranges", "bytes")
	setSSEHeaders(h, o)
	setAttrHeaders(h, o)
	setLockHeaders(h, o)
	// S3 keeps the full-object checksum of an upload and returns it when
	// asked; the SDK asks and validates the body against it.
	if strings.EqualFold(c.Req.Header.Get("x-amz-checksum-mode"), "ENABLED") {
		h.Set("x-amz-checksum-crc32", o.CRC32)
		h.Set("x-amz-checksum-type", "FULL_OBJECT")
	}
	h.Set("x-amz-request-id", c.RequestID)
	w.WriteHeader(http.StatusOK)
	if withBody {
		_, _ = w.Write(body)
	}
	return nil
}

// lookupObject returns the caller's object (a copy of the record).
func (s *Service) lookupObject(c *svc.Call, bucket, key string) (*object, *awsproto.Error) {
	s.mu.RLock()
	_, err := s.owned(c, bucket, false)
	o := s.objects[objectID(bucket, key)]
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, &awsproto.Error{Status: http.StatusNotFound, Code: "NoSuchKey", Message: "The specified key does not exist.",
			Extra: map[string]string{"Key": key}}
	}
	cp := *o
	return &cp, nil
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
func (s *Service) hasObjects(bucket string) bool { return len(s.keyIndex[bucket]) > 0 }
