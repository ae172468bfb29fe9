package ddbsvc

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

const (
	kindTable    = "dynamodb.table"
	targetPrefix = "DynamoDB_20120810"
)

// Service is the sandbox's DynamoDB. Safe for concurrent use.
type Service struct {
	env  *svc.Env
	keys svc.KeyResolver

	mu     sync.RWMutex
	tables map[scope]map[string]*table
}

// New returns the DynamoDB service, loading what env.State holds. keys
// resolves KMSMasterKeyId references (the KMS service).
func New(env *svc.Env, keys svc.KeyResolver) (*Service, error) {
	if keys == nil {
		return nil, errors.New("dynamodb service needs a key resolver (the KMS service)")
	}
	s := &Service{env: env, keys: keys, tables: map[scope]map[string]*table{}}
	err := env.State.Each(kindTable, func(id string, raw json.RawMessage) error {
		t := new(table)
		if err := json.Unmarshal(raw, t); err != nil {
			return fmt.Errorf("%s %s: %w", kindTable, id, err)
		}
		s.put(t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load dynamodb state: %w", err)
	}
	return s, nil
}

// put indexes t; s.mu held (or during New).
func (s *Service) put(t *table) {
	in := s.tables[t.scope()]
	if in == nil {
		in = map[string]*table{}
		s.tables[t.scope()] = in
	}
	in[t.Name] = t
}

// SigningName implements svc.Service.
func (s *Service) SigningName() string { return "dynamodb" }

// Protocol implements svc.Service.
func (s *Service) Protocol() awsproto.Protocol { return awsproto.JSON10 }

// Operation implements svc.Service.
func (s *Service) Operation(r *http.Request, _ []byte) (string, *awsproto.Error) {
	return awsproto.JSONOperation(r, targetPrefix)
}

type handler func(s *Service, c *svc.Call) (any, *awsproto.Error)

var handlers = map[string]handler{
	"ListTables":    (*Service).listTables,
	"DescribeTable": (*Service).describeTable,
	"CreateTable":   (*Service).createTable,
	"UpdateTable":   (*Service).updateTable,
	"DeleteTable":   (*Service).deleteTable,
}

// Serve implements svc.Service.
func (s *Service) Serve(w http.ResponseWriter, c *svc.Call) {
	h := handlers[c.Op]
	if h == nil {
		awsproto.WriteError(w, awsproto.JSON10, c.RequestID, awsproto.Errorf("UnknownOperationException", ""))
		return
	}
	out, err := h(s, c)
	awsproto.WriteResult(w, awsproto.JSON10, c.RequestID, out, err)
}

func (s *Service) persist(t *table) *awsproto.Error {
	if err := s.env.State.Put(kindTable, storeKey(t.Account, t.Region, t.Name), t); err != nil {
		return internalError(err)
	}
	return nil
}

func internalError(err error) *awsproto.Error {
	return &awsproto.Error{Status: http.StatusInternalServerError, Code: "InternalServerError",
		Message: "the sandbox could not persist state: " + err.Error(), Server: true}
}

// validation builds DynamoDB's model-constraint error.
func validation(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf("ValidationException", format, args...)
}

func notFound(name string) *awsproto.Error {
	return awsproto.Errorf("ResourceNotFoundException", "Requested resource not found: Table: %s not found", name)
}
