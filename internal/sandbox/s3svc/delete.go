package s3svc

import (
	"net/http"
	"slices"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// deleteObject removes an object. On a bucket without versioning S3
// answers 204 No Content whether or not the key existed (DeleteObject, S3
// API Reference); a missing bucket is NoSuchBucket. If-Match makes it
// conditional (conditional.go).
func (s *Service) deleteObject(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	guard, err := s.deleteCondition(c, t)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.owned(c, t.bucket, false)
	if err != nil {
		return err
	}
	if b.Versioning != "" || c.Req.URL.Query().Has("versionId") {
		return s.deleteVersioned(w, c, t)
	}
	id := objectID(t.bucket, t.key)
	if guard != nil {
		if err := guard(s.objects[id]); err != nil {
			return err
		}
	}
	if _, ok := s.objects[id]; ok {
		if err := s.env.State.Delete(kindObject, id); err != nil {
			return &awsproto.Error{Status: 500, Code: "InternalError", Message: "the sandbox could not persist state: " + err.Error(), Server: true}
		}
		s.unindex(t.bucket, t.key)
	}
	w.Header().Set("x-amz-request-id", c.RequestID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// unindex removes an object from s.objects and its bucket's key list.
// s.mu held.
func (s *Service) unindex(bucket, key string) {
	delete(s.objects, objectID(bucket, key))
	keys := s.keyIndex[bucket]
	if i, found := slices.BinarySearch(keys, key); found {
		s.keyIndex[bucket] = slices.Delete(keys, i, i+1)
	}
}
