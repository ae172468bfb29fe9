// Package configtest is a minimal AWS Config endpoint for tests: it speaks
// Config's JSON 1.1 protocol over httptest so that the real aws-sdk-go-v2
// client is exercised, and enforces what AWS documents for the calls the
// Config rule makes (PutEvaluations batch ≤ 100, annotation 1–256
// characters, INSUFFICIENT_DATA rejected, result tokens). It holds items and
// evaluations in memory and must not grow into a Config emulator: tests
// use the sandbox's Config service, and keep this fake only for what the
// sandbox cannot produce (FailedEvaluations on demand, malformed items,
// resources on keys that exist only in an in-memory index).
package configtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

// Item is one recorded configuration item, as the API returns it:
// Configuration and the supplementary values are JSON text.
type Item struct {
	Type, ID, Name, ARN, Account, Region string
	Status                               string // OK, ResourceDeleted, …
	CaptureTime                          time.Time
	Configuration                        string
	Supplementary                        map[string]string
}

// Evaluation is one stored evaluation result.
type Evaluation struct {
	Rule, Type, ID, Compliance, Annotation string
	Ordering                               time.Time
}

type evalKey struct{ rule, typ, id string }

// Server is the fake endpoint. Use New.
type Server struct {
	*httptest.Server

	mu      sync.Mutex
	items   []Item
	evals   map[evalKey]Evaluation
	tokens  map[string]string // result token → rule name
	calls   map[string]int
	batches []int
	failN   int
}

// New starts a server; Close it when done.
func New() *Server {
	s := &Server{evals: map[evalKey]Evaluation{}, tokens: map[string]string{}, calls: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AddItem records a configuration item (the latest per resource wins).
func (s *Server) AddItem(it Item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = append(s.items, it)
}

// Token issues a result token for rule, as Config does per invocation.
func (s *Server) Token(rule string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := awsproto.NewRequestID()
	s.tokens[t] = rule
	return t
}

// SetEvaluation stores a prior evaluation (as if an earlier run sent it).
func (s *Server) SetEvaluation(e Evaluation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.evals[evalKey{e.Rule, e.Type, e.ID}] = e
}

// FailEvaluations makes PutEvaluations report the next n evaluations it
// receives in FailedEvaluations instead of storing them.
func (s *Server) FailEvaluations(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN = n
}

// Evaluations returns the stored evaluations of rule by "type/id".
func (s *Server) Evaluations(rule string) map[string]Evaluation {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]Evaluation{}
	for k, e := range s.evals {
		if k.rule == rule {
			out[k.typ+"/"+k.id] = e
		}
	}
	return out
}

// Calls returns how many times op was called.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// BatchSizes returns the number of evaluations in each PutEvaluations call.
func (s *Server) BatchSizes() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.batches...)
}

type handlerFunc func(s *Server, body []byte) (any, *awsproto.Error)

var ops = map[string]handlerFunc{
	"PutEvaluations":                   (*Server).putEvaluations,
	"GetResourceConfigHistory":         (*Server).history,
	"ListDiscoveredResources":          (*Server).listDiscovered,
	"BatchGetResourceConfig":           (*Server).batchGet,
	"GetComplianceDetailsByConfigRule": (*Server).complianceDetails,
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	id := awsproto.NewRequestID()
	op, perr := awsproto.JSONOperation(r, "StarlingDoveService")
	body, err := io.ReadAll(r.Body)
	if perr == nil && err != nil {
		perr = awsproto.Errorf("SerializationException", "cannot read body")
	}
	h, ok := ops[op]
	if perr == nil && !ok {
		perr = awsproto.Errorf("UnknownOperationException", "")
	}
	if perr != nil {
		awsproto.WriteError(w, awsproto.JSON11, id, perr)
		return
	}
	s.mu.Lock()
	s.calls[op]++
	out, aerr := h(s, body)
	s.mu.Unlock()
	if aerr != nil {
		awsproto.WriteError(w, awsproto.JSON11, id, aerr)
		return
	}
	awsproto.WriteJSON(w, awsproto.JSON11, id, out)
}

// epoch renders a timestamp the way JSON 1.1 does (seconds since epoch).
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// page cuts items at the offset carried in nextToken.
func page(n int, token string, limit int) (start, end int, next string, err *awsproto.Error) {
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	if token != "" {
		v, e := strconv.Atoi(token)
		if e != nil || v < 0 || v > n {
			return 0, 0, "", awsproto.Errorf("InvalidNextTokenException", "The nextToken provided is invalid")
		}
		start = v
	}
	end = min(start+limit, n)
	if end < n {
		next = strconv.Itoa(end)
	}
	return start, end, next, nil
}
