package s3svc

import (
	"net/http"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// Conditional writes and deletes, as S3 answers them for general purpose
// buckets (PutObject since 2024, DeleteObject since 2025):
//   - If-None-Match: * on PutObject writes only when the key has no current
//     object; otherwise 412 PreconditionFailed (Condition If-None-Match).
//     Any other If-None-Match value on a write is 501 NotImplemented.
//   - If-Match: ETag on PutObject or DeleteObject writes or deletes only
//     when the current object has that ETag (412 otherwise); when the key
//     has no current object, 404 NoSuchKey. If-Match: * matches any
//     current object.
//   - When the precondition held at the start but another write or delete
//     of the key completed before this one could commit, 409
//     ConditionalRequestConflict: the caller re-reads the ETag and retries.
//
// Unconditional writes and deletes never answer 409: the last one wins.

// writeCond is a request's write preconditions.
type writeCond struct {
	ifMatch     string // "" when absent
	ifNoneMatch bool   // If-None-Match: *
}

func (w writeCond) any() bool { return w.ifMatch != "" || w.ifNoneMatch }

// parseWriteCond reads If-Match / If-None-Match of a write. Both at once
// is refused the way S3 refuses combinations it does not implement.
func parseWriteCond(h http.Header) (writeCond, *awsproto.Error) {
	c := writeCond{ifMatch: strings.TrimSpace(h.Get("If-Match"))}
	if v, ok := h["If-None-Match"]; ok {
		if len(v) != 1 || strings.TrimSpace(v[0]) != "*" {
			return c, notImplemented("If-None-Match")
		}
		c.ifNoneMatch = true
	}
	if c.ifNoneMatch && c.ifMatch != "" {
		return c, notImplemented("If-Match")
	}
	return c, nil
}

func notImplemented(header string) *awsproto.Error {
	return &awsproto.Error{Status: http.StatusNotImplemented, Code: "NotImplemented",
		Message: "A header you provided implies functionality that is not implemented", Extra: map[string]string{"Header": header}}
}

func preconditionFailed(cond string) *awsproto.Error {
	return &awsproto.Error{Status: http.StatusPreconditionFailed, Code: "PreconditionFailed",
		Message: "At least one of the pre-conditions you specified did not hold", Extra: map[string]string{"Condition": cond}}
}

func conditionalConflict() *awsproto.Error {
	return &awsproto.Error{Status: http.StatusConflict, Code: "ConditionalRequestConflict",
		Message: "A conflicting conditional operation is currently in progress against this resource. Please try again."}
}

func noSuchKey(key string) *awsproto.Error {
	return &awsproto.Error{Status: http.StatusNotFound, Code: "NoSuchKey", Message: "The specified key does not exist.",
		Extra: map[string]string{"Key": key}}
}

// check evaluates the precondition against cur (nil: no current object).
func (w writeCond) check(key string, cur *object) *awsproto.Error {
	switch {
	case w.ifNoneMatch && cur != nil:
		return preconditionFailed("If-None-Match")
	case w.ifMatch != "" && cur == nil:
		return noSuchKey(key)
	case w.ifMatch != "" && !etagListHas(w.ifMatch, cur.ETag):
		return preconditionFailed("If-Match")
	}
	return nil
}

// begin checks the precondition now and returns the guard that, under
// the service lock right before the write commits, answers 409 when the
// key changed in between (nil guard for unconditional writes).
func (s *Service) begin(cond writeCond, bucket, key string) (func(cur *object) *awsproto.Error, *awsproto.Error) {
	if !cond.any() {
		return nil, nil
	}
	s.mu.RLock()
	seen := s.objects[objectID(bucket, key)]
	s.mu.RUnlock()
	if err := cond.check(key, seen); err != nil {
		return nil, err
	}
	return func(cur *object) *awsproto.Error {
		if cur != seen {
			return conditionalConflict()
		}
		return nil
	}, nil
}

// deleteCondition reads a DeleteObject's If-Match (If-None-Match is not
// implemented on deletes) and checks it now; the guard, run under the
// service lock right before the delete, answers 409 when the key changed
// in between (nil guard for an unconditional delete).
func (s *Service) deleteCondition(c *svc.Call, t target) (func(cur *object) *awsproto.Error, *awsproto.Error) {
	cond, err := parseWriteCond(c.Req.Header)
	if err != nil {
		return nil, err
	}
	if cond.ifNoneMatch {
		return nil, notImplemented("If-None-Match")
	}
	return s.begin(cond, t.bucket, t.key)
}
