package s3svc

import (
	"net/http"
	"slices"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// deleteVersioned is DeleteObject in a bucket that has (or had)
// versioning. With versionId it deletes that version, refused while
// Object Lock protects it (GOVERNANCE yields to
// x-amz-bypass-governance-retention; a legal hold never); deleting the
// current version makes the newest older one current. Without versionId
// the current version becomes noncurrent and the key disappears from
// listings and GetObject; the sandbox does not model the delete marker
// itself. s.mu held.
func (s *Service) deleteVersioned(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	id := objectID(t.bucket, t.key)
	vid := c.Req.URL.Query().Get("versionId")
	cur := s.objects[id]
	var err *awsproto.Error
	switch {
	case vid == "" && cur != nil:
		err = s.retireCurrent(cur)
	case vid != "":
		if o := s.findVersion(t.bucket, t.key, vid); o != nil {
			err = s.dropVersion(c, o)
		}
	}
	if err != nil {
		return err
	}
	if vid != "" {
		w.Header().Set("x-amz-version-id", vid)
	}
	w.Header().Set("x-amz-request-id", c.RequestID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func persistErr(err error) *awsproto.Error {
	return &awsproto.Error{Status: 500, Code: "InternalError", Message: "the sandbox could not persist state: " + err.Error(), Server: true}
}

// retireCurrent makes the current version noncurrent; s.mu held.
func (s *Service) retireCurrent(cur *object) *awsproto.Error {
	old := *cur
	old.VersionID = nullID(cur.VersionID)
	if err := s.env.State.Put(kindVersion, versionKey(&old), &old); err != nil {
		return persistErr(err)
	}
	if err := s.env.State.Delete(kindObject, objectID(cur.Bucket, cur.Key)); err != nil {
		return persistErr(err)
	}
	s.unindex(cur.Bucket, cur.Key)
	id := objectID(cur.Bucket, cur.Key)
	s.versionsMap()[id] = append(s.versionsMap()[id], &old)
	return nil
}

// dropVersion deletes one version unless Object Lock protects it; s.mu held.
func (s *Service) dropVersion(c *svc.Call, o *object) *awsproto.Error {
	bypass := strings.EqualFold(c.Req.Header.Get("x-amz-bypass-governance-retention"), "true")
	retained := o.Retention != nil && c.Now.Before(o.Retention.RetainUntil) && (o.Retention.Mode == "COMPLIANCE" || !bypass)
	if o.LegalHold || retained {
		return &awsproto.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied because object protected by object lock."}
	}
	id := objectID(o.Bucket, o.Key)
	if s.objects[id] != o {
		if err := s.env.State.Delete(kindVersion, versionKey(o)); err != nil {
			return persistErr(err)
		}
		s.versionsMap()[id] = slices.DeleteFunc(s.versionsMap()[id], func(v *object) bool { return v == o })
		return nil
	}
	if err := s.env.State.Delete(kindObject, id); err != nil {
		return persistErr(err)
	}
	s.unindex(o.Bucket, o.Key)
	older := s.versionsMap()[id]
	if len(older) == 0 {
		return nil
	}
	prev := older[len(older)-1]
	if err := s.env.State.Delete(kindVersion, versionKey(prev)); err != nil {
		return persistErr(err)
	}
	if err := s.env.State.Put(kindObject, id, prev); err != nil {
		return persistErr(err)
	}
	s.versionsMap()[id] = older[:len(older)-1]
	s.index(prev)
	return nil
}
