package s3svc

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

const kindUpload = "s3.upload"

// S3's multipart limits.
const (
	maxPartNumber = 10000
	minPartSize   = 5 << 20 // every part but the last
)

// upload is a multipart upload in progress. Its parts are stored sealed
// under the upload's encryption (decided at CreateMultipartUpload, where S3
// asks KMS for the data key), as S3 stores them.
type upload struct {
	ID           string            `json:"id"`
	Bucket       string            `json:"bucket"`
	Key          string            `json:"key"`
	Account      string            `json:"account"`
	Initiated    time.Time         `json:"initiated"`
	SSE          sseRequest        `json:"sse"`
	ContentType  string            `json:"contentType,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
	StorageClass string            `json:"storageClass,omitempty"`
	Parts        map[int]*part     `json:"parts,omitempty"`
}

// part is one uploaded part: sealed like an object, with the MD5 ETag of
// its plaintext.
type part struct {
	Sealed       object    `json:"sealed"`
	ETag         string    `json:"etag"`
	Size         int64     `json:"size"`
	LastModified time.Time `json:"lastModified"`
}

func init() {
	handlers["CreateMultipartUpload"] = (*Service).createUpload
	handlers["UploadPart"] = (*Service).uploadPart
	handlers["UploadPartCopy"] = (*Service).uploadPartCopy
	handlers["CompleteMultipartUpload"] = (*Service).completeUpload
	handlers["AbortMultipartUpload"] = (*Service).abortUpload
}

// multipartOperation names the multipart operations (object key and an
// uploads/uploadId subresource), "" for anything else.
func multipartOperation(r *http.Request, t target, q map[string][]string) string {
	_, uploads := q["uploads"]
	_, uploadID := q["uploadId"]
	_, partNumber := q["partNumber"]
	switch {
	case t.key == "":
		return ""
	case r.Method == http.MethodPost && uploads:
		return "CreateMultipartUpload"
	case r.Method == http.MethodPost && uploadID:
		return "CompleteMultipartUpload"
	case r.Method == http.MethodDelete && uploadID:
		return "AbortMultipartUpload"
	case r.Method == http.MethodPut && uploadID && partNumber && r.Header.Get("x-amz-copy-source") != "":
		return "UploadPartCopy"
	case r.Method == http.MethodPut && uploadID && partNumber:
		return "UploadPart"
	}
	return ""
}

func (s *Service) loadUploads() error {
	return s.env.State.Each(kindUpload, func(id string, raw json.RawMessage) error {
		u := new(upload)
		if err := json.Unmarshal(raw, u); err != nil {
			return fmt.Errorf("%s %s: %w", kindUpload, id, err)
		}
		s.uploadsMap()[u.ID] = u
		return nil
	})
}

func noSuchUpload(id string) *awsproto.Error {
	return &awsproto.Error{Status: http.StatusNotFound, Code: "NoSuchUpload",
		Message: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
		Extra:   map[string]string{"UploadId": id}}
}

type initiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string
	Key      string
	UploadId string
}

// createUpload starts an upload with the request's (or the bucket's
// default) encryption; an SSE-KMS key the caller cannot use fails here, as
// in S3, which generates the upload's data key now.
func (s *Service) createUpload(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	if len(t.key) > maxKeyBytes {
		return awsproto.Errorf("KeyTooLongError", "Your key is too long")
	}
	a, err := parseAttrs(c.Req.Header)
	if err != nil {
		return err
	}
	req, err := parseSSE(c.Req.Header)
	if err != nil {
		return err
	}
	s.mu.RLock()
	b, err := s.owned(c, t.bucket, false)
	var def *Encryption
	if b != nil {
		def = b.Encryption
	}
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	u := &upload{ID: newUploadID(), Bucket: t.bucket, Key: t.key, Account: c.Caller.Account, Initiated: c.Now,
		SSE: req.effective(def), ContentType: c.Req.Header.Get("Content-Type"), Metadata: a.metadata, Tags: a.tags,
		StorageClass: a.storageClass, Parts: map[int]*part{}}
	probe := &object{Bucket: t.bucket, Key: t.key}
	if err := s.seal(c, probe, u.SSE, nil); err != nil {
		return err
	}
	if err := s.putUpload(u); err != nil {
		return err
	}
	setSSEHeaders(w.Header(), probe)
	writeXML(w, c.RequestID, initiateResult{Xmlns: xmlns, Bucket: u.Bucket, Key: u.Key, UploadId: u.ID})
	return nil
}

func newUploadID() string {
	return strings.ReplaceAll(awsproto.NewRequestID(), "-", "") + strconv.FormatInt(time.Now().UnixNano()%1e6, 36)
}

// putUpload persists u and indexes it.
func (s *Service) putUpload(u *upload) *awsproto.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.env.State.Put(kindUpload, u.ID, u); err != nil {
		return &awsproto.Error{Status: 500, Code: "InternalError", Message: "the sandbox could not persist state: " + err.Error(), Server: true}
	}
	s.uploadsMap()[u.ID] = u
	return nil
}

// lookupUpload returns a copy of the caller's upload for t, with its part
// number when the request names one.
func (s *Service) lookupUpload(c *svc.Call, t target) (*upload, int, *awsproto.Error) {
	q := c.Req.URL.Query()
	id := q.Get("uploadId")
	s.mu.RLock()
	_, err := s.owned(c, t.bucket, false)
	u := s.uploadsMap()[id]
	var cp upload
	if u != nil {
		cp = *u
		cp.Parts = make(map[int]*part, len(u.Parts))
		for n, p := range u.Parts {
			cp.Parts[n] = p
		}
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, 0, err
	}
	if u == nil || u.Bucket != t.bucket || u.Key != t.key {
		return nil, 0, noSuchUpload(id)
	}
	n := 0
	if v := q.Get("partNumber"); v != "" {
		var perr error
		if n, perr = strconv.Atoi(v); perr != nil || n < 1 || n > maxPartNumber {
			return nil, 0, awsproto.Errorf("InvalidArgument", "Part number must be an integer between 1 and %d, inclusive", maxPartNumber)
		}
	}
	return &cp, n, nil
}

// md5ETag is S3's ETag of a part: the quoted MD5 of its data.
func md5ETag(b []byte) string {
	sum := md5.Sum(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// uploadsMap returns s.uploads, made on first use; s.mu held (or in New).
func (s *Service) uploadsMap() map[string]*upload {
	if s.uploads == nil {
		s.uploads = map[string]*upload{}
	}
	return s.uploads
}

// extraOperation names the operations added beside the original routing
// (multipart uploads, versioning, Object Lock), "" for the others.
func extraOperation(r *http.Request, t target, q map[string][]string) string {
	if op := multipartOperation(r, t, q); op != "" {
		return op
	}
	return versionOperation(r, t, q)
}
