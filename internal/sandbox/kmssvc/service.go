package kmssvc

import (
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// targetPrefix is KMS's X-Amz-Target prefix.
const targetPrefix = "TrentService"

// Service is the sandbox KMS. Create with New; safe for concurrent use.
type Service struct {
	env      *svc.Env
	mu       sync.RWMutex
	keys     map[string]*key   // by key ARN
	aliases  map[string]*alias // by alias ARN
	grants   grantIndex        // by grant ID and per key
	tokenKey []byte            // seals import tokens (persisted)
	pool     *rsaPool
	nextDue  atomic.Int64 // unix nanos of the next lazy transition (expiry, rotation, deletion)
}

var (
	_ svc.Service     = (*Service)(nil)
	_ svc.KeyResolver = (*Service)(nil)
)

// New loads the KMS state held by env.State and starts the background
// wrapping-key pool.
func New(env *svc.Env) (*Service, error) {
	s := &Service{env: env, keys: map[string]*key{}, aliases: map[string]*alias{},
		grants: newGrantIndex(), pool: newRSAPool()}
	if err := s.load(); err != nil {
		return nil, err
	}
	s.reschedule()
	return s, nil
}

// Close stops the background wrapping-key generators.
func (s *Service) Close() { s.pool.close() }

// SigningName implements svc.Service.
func (s *Service) SigningName() string { return "kms" }

// Protocol implements svc.Service.
func (s *Service) Protocol() awsproto.Protocol { return awsproto.JSON11 }

// Operation implements svc.Service: the X-Amz-Target names the operation.
func (s *Service) Operation(r *http.Request, _ []byte) (string, *awsproto.Error) {
	op, err := awsproto.JSONOperation(r, targetPrefix)
	if err != nil {
		return "", err
	}
	if _, ok := operations[op]; !ok {
		return "", awsproto.Errorf("UnknownOperationException", "")
	}
	return op, nil
}

// opKind says how an operation locks and what CloudTrail records.
type opKind int

const (
	opInvalid    opKind = iota
	opRead              // read lock, readOnly event, no responseElements
	opCrypto            // read lock, readOnly event, no responseElements
	opWrite             // write lock, responseElements recorded
	opReadLocked        // write lock (may create AWS managed keys), readOnly event
	opSelf              // the handler locks for itself (slow work outside the lock), readOnly event
)

type handler func(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error)

type operation struct {
	kind opKind
	fn   handler
}

// operations is filled by the files that implement each group.
var operations = map[string]operation{}

func register(name string, kind opKind, fn handler) { operations[name] = operation{kind, fn} }

// Serve implements svc.Service.
func (s *Service) Serve(w http.ResponseWriter, c *svc.Call) {
	op := operations[c.Op]
	ev := newEvent(c, op.kind)
	s.sweepIfDue(c.Now)
	resp, aerr := s.run(op, c, ev)
	s.record(c, ev, resp, aerr)
	awsproto.WriteResult(w, awsproto.JSON11, c.RequestID, resp, aerr)
}

func (s *Service) run(op operation, c *svc.Call, ev *event) (any, *awsproto.Error) {
	if op.fn == nil {
		return nil, awsproto.Errorf("UnknownOperationException", "")
	}
	if err := s.checkGrantTokens(c); err != nil {
		return nil, err
	}
	switch op.kind {
	case opSelf:
		return op.fn(s, c, ev)
	case opRead, opCrypto:
		s.mu.RLock()
		defer s.mu.RUnlock()
		return op.fn(s, c, ev)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	resp, err := op.fn(s, c, ev)
	s.reschedule()
	return resp, err
}

// decode parses the request body into v.
func decode(c *svc.Call, v any) *awsproto.Error {
	return awsproto.DecodeJSON(c.Body, v)
}

// rawParams parses the body generically for CloudTrail's requestParameters.
func rawParams(body []byte) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return nil
	}
	return m
}
