package s3svc

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

const kindVersion = "s3.version"

func init() {
	handlers["PutBucketVersioning"] = (*Service).putVersioning
	handlers["GetBucketVersioning"] = (*Service).getVersioning
	handlers["PutObjectLockConfiguration"] = (*Service).putLockConfig
	handlers["GetObjectLockConfiguration"] = (*Service).getLockConfig
	handlers["ListObjectVersions"] = (*Service).listVersions
	handlers["PutObjectRetention"] = (*Service).putRetention
	handlers["GetObjectRetention"] = (*Service).getRetention
	handlers["PutObjectLegalHold"] = (*Service).putLegalHold
	handlers["GetObjectLegalHold"] = (*Service).getLegalHold
}

// versionOperation names the versioning and Object Lock operations, and
// GET/HEAD of one version (?versionId=…).
func versionOperation(r *http.Request, t target, q map[string][]string) string {
	has := func(k string) bool { _, ok := q[k]; return ok }
	byMethod := func(get, put string) string {
		return map[string]string{http.MethodGet: get, http.MethodPut: put}[r.Method]
	}
	switch {
	case t.bucket == "":
		return ""
	case t.key == "" && has("versioning"):
		return byMethod("GetBucketVersioning", "PutBucketVersioning")
	case t.key == "" && has("object-lock"):
		return byMethod("GetObjectLockConfiguration", "PutObjectLockConfiguration")
	case t.key == "" && has("versions") && r.Method == http.MethodGet:
		return "ListObjectVersions"
	case t.key != "" && has("retention"):
		return byMethod("GetObjectRetention", "PutObjectRetention")
	case t.key != "" && has("legal-hold"):
		return byMethod("GetObjectLegalHold", "PutObjectLegalHold")
	case t.key != "" && has("versionId") && len(q) <= 2 && (len(q) == 1 || has("x-id")):
		return map[string]string{http.MethodGet: "GetObject", http.MethodHead: "HeadObject", http.MethodDelete: "DeleteObject"}[r.Method]
	}
	return ""
}

func versionKey(o *object) string {
	return objectID(o.Bucket, o.Key) + "?versionId=" + nullID(o.VersionID)
}

// nullID is how S3 names the version of an object written while
// versioning was never enabled or suspended.
func nullID(v string) string {
	if v == "" {
		return "null"
	}
	return v
}

func (s *Service) loadVersions() error {
	return s.env.State.Each(kindVersion, func(id string, raw json.RawMessage) error {
		o := new(object)
		if err := json.Unmarshal(raw, o); err != nil {
			return fmt.Errorf("%s %s: %w", kindVersion, id, err)
		}
		s.versionsMap()[objectID(o.Bucket, o.Key)] = append(s.versionsMap()[objectID(o.Bucket, o.Key)], o)
		return nil
	})
}

// versionsMap returns s.versions, made on first use; s.mu held.
func (s *Service) versionsMap() map[string][]*object {
	if s.versions == nil {
		s.versions = map[string][]*object{}
	}
	return s.versions
}

func newVersionID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// newVersion gives o its version ID and keeps the object it replaces as a
// noncurrent version, as the bucket's versioning state says. A locked
// version is never overwritten: in a versioned bucket a write makes a new
// version and the locked one stays, as in S3. s.mu held.
func (s *Service) newVersion(o *object) *awsproto.Error {
	b := s.buckets[o.Bucket]
	prev := s.objects[objectID(o.Bucket, o.Key)]
	if b == nil || prev == o || b.Versioning == "" {
		return nil
	}
	if b.Versioning == "Enabled" {
		o.VersionID = newVersionID()
	} else {
		o.VersionID = "null"
	}
	if prev == nil || (b.Versioning == "Suspended" && nullID(prev.VersionID) == "null") {
		return nil
	}
	old := *prev
	old.VersionID = nullID(prev.VersionID)
	if err := s.env.State.Put(kindVersion, versionKey(&old), &old); err != nil {
		return &awsproto.Error{Status: 500, Code: "InternalError", Message: "the sandbox could not persist state: " + err.Error(), Server: true}
	}
	id := objectID(o.Bucket, o.Key)
	s.versionsMap()[id] = append(s.versionsMap()[id], &old)
	return nil
}

// lookupVersion returns a copy of one version of an object (the current
// one when versionID is ""); NoSuchVersion when there is no such version.
func (s *Service) lookupVersion(c *svc.Call, bucket, key, versionID string) (*object, *awsproto.Error) {
	if versionID == "" {
		return s.lookupObject(c, bucket, key)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, err := s.owned(c, bucket, false); err != nil {
		return nil, err
	}
	if o := s.findVersion(bucket, key, versionID); o != nil {
		cp := *o
		return &cp, nil
	}
	return nil, &awsproto.Error{Status: http.StatusNotFound, Code: "NoSuchVersion",
		Message: "The specified version does not exist.", Extra: map[string]string{"Key": key, "VersionId": versionID}}
}

// findVersion finds the stored record of a version; s.mu held.
func (s *Service) findVersion(bucket, key, versionID string) *object {
	id := objectID(bucket, key)
	if o := s.objects[id]; o != nil && nullID(o.VersionID) == versionID {
		return o
	}
	for _, o := range s.versionsMap()[id] {
		if o.VersionID == versionID {
			return o
		}
	}
	return nil
}

// parseCopySourceVersion is parseCopySource with its ?versionId=….
func parseCopySourceVersion(v string) (bucket, key, versionID string, err *awsproto.Error) {
	if bucket, key, err = parseCopySource(v); err != nil {
		return "", "", "", err
	}
	if _, query, ok := strings.Cut(v, "?"); ok {
		q, _ := url.ParseQuery(query)
		versionID = q.Get("versionId")
	}
	return bucket, key, versionID, nil
}

type versioningConfiguration struct {
	XMLName xml.Name `xml:"VersioningConfiguration"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Status  string   `xml:",omitempty"`
}

// putVersioning enables or suspends versioning; a bucket with Object Lock
// stays Enabled.
func (s *Service) putVersioning(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	var in versioningConfiguration
	if xerr := xml.Unmarshal(decodeChunked(c.Req, c.Body), &in); xerr != nil || (in.Status != "Enabled" && in.Status != "Suspended") {
		return awsproto.Errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	return s.updateBucket(w, c, t, func(b *bucket) *awsproto.Error {
		if b.ObjectLock && in.Status != "Enabled" {
			return &awsproto.Error{Status: http.StatusConflict, Code: "InvalidBucketState",
				Message: "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed."}
		}
		b.Versioning = in.Status
		return nil
	})
}

func (s *Service) getVersioning(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	s.mu.RLock()
	b, err := s.owned(c, t.bucket, false)
	status := ""
	if b != nil {
		status = b.Versioning
	}
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	writeXML(w, c.RequestID, versioningConfiguration{Xmlns: xmlns, Status: status})
	return nil
}

// updateBucket applies change to a copy of the caller's bucket and
// persists it.
func (s *Service) updateBucket(w http.ResponseWriter, c *svc.Call, t target, change func(*bucket) *awsproto.Error) *awsproto.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.owned(c, t.bucket, false)
	if err != nil {
		return err
	}
	next := *b
	if err := change(&next); err != nil {
		return err
	}
	next.ChangedAt = c.Now
	if err := s.persist(&next); err != nil {
		return err
	}
	s.buckets[b.Name] = &next
	w.Header().Set("x-amz-request-id", c.RequestID)
	w.WriteHeader(http.StatusOK)
	return nil
}
