package s3svc

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

const (
	kindBucket = "s3.bucket"
	xmlns      = "http://s3.amazonaws.com/doc/2006-03-01/"
)

// Service is the sandbox's S3. Safe for concurrent use.
type Service struct {
	env      *svc.Env
	mu       sync.RWMutex
	buckets  map[string]*bucket   // global namespace
	objects  map[string]*object   // objectID → object
	keyIndex map[string][]string  // bucket → its object keys, sorted
	keys     Keys                 // KMS for SSE-KMS; nil until UseKMS
	uploads  map[string]*upload   // multipart uploads in progress, by upload ID
	versions map[string][]*object // objectID → noncurrent versions, oldest first
}

// New returns the S3 service, loading what env.State holds. SSE-KMS needs
// the KMS service (UseKMS).
func New(env *svc.Env) (*Service, error) {
	s := &Service{env: env, buckets: map[string]*bucket{}, objects: map[string]*object{}, keyIndex: map[string][]string{}}
	err := env.State.Each(kindBucket, func(id string, raw json.RawMessage) error {
		b := new(bucket)
		if err := json.Unmarshal(raw, b); err != nil {
			return fmt.Errorf("%s %s: %w", kindBucket, id, err)
		}
		s.buckets[b.Name] = b
		return nil
	})
	if err == nil {
		err = s.loadObjects()
	}
	if err == nil {
		err = s.loadUploads()
	}
	if err == nil {
		err = s.loadVersions()
	}
	if err != nil {
		return nil, fmt.Errorf("load s3 state: %w", err)
	}
	return s, nil
}

// SigningName implements svc.Service.
func (s *Service) SigningName() string { return "s3" }

// Protocol implements svc.Service.
func (s *Service) Protocol() awsproto.Protocol { return awsproto.RestXML }

// Operation implements svc.Service.
func (s *Service) Operation(r *http.Request, _ []byte) (string, *awsproto.Error) {
	t, err := route(r)
	return t.op, err
}

type handler func(s *Service, w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error

var handlers = map[string]handler{
	"ListBuckets":            (*Service).listBuckets,
	"CreateBucket":           (*Service).createBucket,
	"HeadBucket":             (*Service).headBucket,
	"GetBucketLocation":      (*Service).getLocation,
	"DeleteBucket":           (*Service).deleteBucket,
	"GetBucketEncryption":    (*Service).getEncryption,
	"PutBucketEncryption":    (*Service).putEncryption,
	"DeleteBucketEncryption": (*Service).deleteEncryption,
	"PutObject":              (*Service).putObject,
	"GetObject":              (*Service).getObject,
	"HeadObject":             (*Service).headObject,
	"DeleteObject":           (*Service).deleteObject,
	"CopyObject":             (*Service).copyObject,
	"GetObjectTagging":       (*Service).getObjectTagging,
	"ListObjectsV2":          (*Service).listObjectsV2,
}

// Serve implements svc.Service.
func (s *Service) Serve(w http.ResponseWriter, c *svc.Call) {
	t, err := route(c.Req)
	if err == nil {
		err = handlers[t.op](s, w, c, t)
	}
	if err != nil {
		if c.Req.Method == http.MethodHead {
			writeHeadError(w, c.RequestID, err)
			return
		}
		awsproto.WriteError(w, awsproto.RestXML, c.RequestID, err)
	}
}

// writeHeadError: HEAD responses carry no body, only the status.
func writeHeadError(w http.ResponseWriter, rid string, e *awsproto.Error) {
	w.Header().Set("x-amz-request-id", rid)
	for k, v := range e.Extra {
		if k == "Region" {
			w.Header().Set("x-amz-bucket-region", v)
		}
	}
	w.WriteHeader(e.StatusOr())
}

func writeXML(w http.ResponseWriter, rid string, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		awsproto.WriteError(w, awsproto.RestXML, rid, &awsproto.Error{Status: 500, Code: "InternalError", Message: "response encoding failed", Server: true})
		return
	}
	body = append([]byte(xml.Header), body...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-amz-request-id", rid)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (s *Service) persist(b *bucket) *awsproto.Error {
	if err := s.env.State.Put(kindBucket, b.Name, b); err != nil {
		return &awsproto.Error{Status: 500, Code: "InternalError", Message: "the sandbox could not persist state: " + err.Error(), Server: true}
	}
	return nil
}

func noSuchBucket(name string) *awsproto.Error {
	return &awsproto.Error{Status: http.StatusNotFound, Code: "NoSuchBucket", Message: "The specified bucket does not exist",
		Extra: map[string]string{"BucketName": name}}
}

// owned returns the caller's bucket, checking ownership and Region as S3
// does (a request signed for the wrong Region is refused with the right
// Region named). s.mu held.
func (s *Service) owned(c *svc.Call, name string, anyRegion bool) (*bucket, *awsproto.Error) {
	b := s.buckets[name]
	switch {
	case b == nil:
		return nil, noSuchBucket(name)
	case b.Account != c.Caller.Account:
		return nil, &awsproto.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied"}
	case !anyRegion && b.Region != c.Region:
		return nil, &awsproto.Error{Status: http.StatusBadRequest, Code: "AuthorizationHeaderMalformed",
			Message: fmt.Sprintf("The authorization header is malformed; the region '%s' is wrong; expecting '%s'", c.Region, b.Region),
			Extra:   map[string]string{"Region": b.Region}}
	}
	return b, nil
}
