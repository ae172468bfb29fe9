package s3svc

import (
	"encoding/xml"
	"net/http"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// retention is an object version's Object Lock retention.
type retention struct {
	Mode        string    `json:"mode"` // GOVERNANCE or COMPLIANCE
	RetainUntil time.Time `json:"retainUntil"`
}

// setLockHeaders writes the Object Lock headers S3 returns on GetObject
// and HeadObject of a locked version.
func setLockHeaders(h http.Header, o *object) {
	if o.Retention != nil {
		h.Set("x-amz-object-lock-mode", o.Retention.Mode)
		h.Set("x-amz-object-lock-retain-until-date", o.Retention.RetainUntil.Format("2006-01-02T15:04:05.000Z"))
	}
	if o.LegalHold {
		h.Set("x-amz-object-lock-legal-hold", "ON")
	}
}

type lockConfiguration struct {
	XMLName           xml.Name `xml:"ObjectLockConfiguration"`
	Xmlns             string   `xml:"xmlns,attr,omitempty"`
	ObjectLockEnabled string   `xml:",omitempty"`
}

// putLockConfig turns Object Lock on for a bucket with versioning enabled
// (it cannot be turned off). Default retention rules are not modelled.
func (s *Service) putLockConfig(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	var in lockConfiguration
	if xerr := xml.Unmarshal(decodeChunked(c.Req, c.Body), &in); xerr != nil || in.ObjectLockEnabled != "Enabled" {
		return awsproto.Errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	return s.updateBucket(w, c, t, func(b *bucket) *awsproto.Error {
		if b.Versioning != "Enabled" {
			return &awsproto.Error{Status: http.StatusConflict, Code: "InvalidBucketState",
				Message: "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration"}
		}
		b.ObjectLock = true
		return nil
	})
}

func (s *Service) getLockConfig(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	s.mu.RLock()
	b, err := s.owned(c, t.bucket, false)
	on := b != nil && b.ObjectLock
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	if !on {
		return &awsproto.Error{Status: http.StatusNotFound, Code: "ObjectLockConfigurationNotFoundError",
			Message: "Object Lock configuration does not exist for this bucket"}
	}
	writeXML(w, c.RequestID, lockConfiguration{Xmlns: xmlns, ObjectLockEnabled: "Enabled"})
	return nil
}

type retentionXML struct {
	XMLName         xml.Name `xml:"Retention"`
	Xmlns           string   `xml:"xmlns,attr,omitempty"`
	Mode            string
	RetainUntilDate string
}

type legalHoldXML struct {
	XMLName xml.Name `xml:"LegalHold"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Status  string
}

// ParseRetention reads a PutObjectRetention body: a mode and a future
// RetainUntilDate.
func ParseRetention(body []byte, now time.Time) (*retention, *awsproto.Error) {
	var in retentionXML
	if xerr := xml.Unmarshal(body, &in); xerr != nil || (in.Mode != "GOVERNANCE" && in.Mode != "COMPLIANCE") {
		return nil, awsproto.Errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	until, terr := time.Parse(time.RFC3339, in.RetainUntilDate)
	if terr != nil {
		return nil, awsproto.Errorf("InvalidArgument", "The retain until date must be an ISO 8601 timestamp")
	}
	if !until.After(now) {
		return nil, awsproto.Errorf("InvalidArgument", "The retain until date must be in the future!")
	}
	return &retention{Mode: in.Mode, RetainUntil: until.UTC()}, nil
}

// putRetention sets a version's retention. COMPLIANCE can only be
// extended; GOVERNANCE can be shortened or removed only with
// x-amz-bypass-governance-retention.
func (s *Service) putRetention(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	r, err := ParseRetention(decodeChunked(c.Req, c.Body), c.Now)
	if err != nil {
		return err
	}
	bypass := strings.EqualFold(c.Req.Header.Get("x-amz-bypass-governance-retention"), "true")
	return s.changeLock(w, c, t, func(o *object) *awsproto.Error {
		if cur := o.Retention; cur != nil && c.Now.Before(cur.RetainUntil) &&
			(r.RetainUntil.Before(cur.RetainUntil) || (cur.Mode == "COMPLIANCE" && r.Mode != "COMPLIANCE")) &&
			(cur.Mode == "COMPLIANCE" || !bypass) {
			return &awsproto.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied because object protected by object lock."}
		}
		o.Retention = r
		return nil
	})
}

func (s *Service) putLegalHold(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	var in legalHoldXML
	if xerr := xml.Unmarshal(decodeChunked(c.Req, c.Body), &in); xerr != nil || (in.Status != "ON" && in.Status != "OFF") {
		return awsproto.Errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	return s.changeLock(w, c, t, func(o *object) *awsproto.Error {
		o.LegalHold = in.Status == "ON"
		return nil
	})
}

// changeLock applies change to the version the request names (the
// current one by default) in a bucket with Object Lock, and persists it.
func (s *Service) changeLock(w http.ResponseWriter, c *svc.Call, t target, change func(*object) *awsproto.Error) *awsproto.Error {
	vid := c.Req.URL.Query().Get("versionId")
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lockable(c, t, vid)
	if err != nil {
		return err
	}
	next := *o
	if err := change(&next); err != nil {
		return err
	}
	kind, id := kindObject, objectID(o.Bucket, o.Key)
	if s.objects[id] != o {
		kind, id = kindVersion, versionKey(o)
	}
	if perr := s.env.State.Put(kind, id, &next); perr != nil {
		return &awsproto.Error{Status: 500, Code: "InternalError", Message: "the sandbox could not persist state: " + perr.Error(), Server: true}
	}
	*o = next // the record is replaced in place: maps and index keep pointing at it
	w.Header().Set("x-amz-request-id", c.RequestID)
	w.WriteHeader(http.StatusOK)
	return nil
}

// lockable finds the version t names in a bucket with Object Lock; s.mu held.
func (s *Service) lockable(c *svc.Call, t target, vid string) (*object, *awsproto.Error) {
	b, err := s.owned(c, t.bucket, false)
	if err != nil {
		return nil, err
	}
	if !b.ObjectLock {
		return nil, awsproto.Errorf("InvalidRequest", "Bucket is missing Object Lock Configuration")
	}
	var o *object
	if vid == "" {
		o = s.objects[objectID(t.bucket, t.key)]
	} else {
		o = s.findVersion(t.bucket, t.key, vid)
	}
	if o == nil {
		return nil, &awsproto.Error{Status: http.StatusNotFound, Code: "NoSuchKey", Message: "The specified key does not exist.",
			Extra: map[string]string{"Key": t.key}}
	}
	return o, nil
}

func (s *Service) getRetention(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	o, err := s.readLock(c, t)
	if err != nil {
		return err
	}
	if o.Retention == nil {
		return &awsproto.Error{Status: http.StatusNotFound, Code: "NoSuchObjectLockConfiguration",
			Message: "The specified object does not have a ObjectLock configuration"}
	}
	writeXML(w, c.RequestID, retentionXML{Xmlns: xmlns, Mode: o.Retention.Mode,
		RetainUntilDate: o.Retention.RetainUntil.Format("2006-01-02T15:04:05.000Z")})
	return nil
}

func (s *Service) getLegalHold(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	o, err := s.readLock(c, t)
	if err != nil {
		return err
	}
	status := "OFF"
	if o.LegalHold {
		status = "ON"
	}
	writeXML(w, c.RequestID, legalHoldXML{Xmlns: xmlns, Status: status})
	return nil
}

func (s *Service) readLock(c *svc.Call, t target) (object, *awsproto.Error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, err := s.lockable(c, t, c.Req.URL.Query().Get("versionId"))
	if err != nil {
		return object{}, err
	}
	return *o, nil
}
