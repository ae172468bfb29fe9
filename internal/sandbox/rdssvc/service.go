package rdssvc

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// State kinds in the sandbox state log.
const (
	kindInstance        = "rds.instance"
	kindCluster         = "rds.cluster"
	kindSnapshot        = "rds.snapshot"
	kindClusterSnapshot = "rds.clustersnapshot"
)

// Service is the sandbox's RDS. Safe for concurrent use.
type Service struct {
	env  *svc.Env
	keys svc.KeyResolver

	mu        sync.RWMutex
	instances map[scope]map[string]*instance
	clusters  map[scope]map[string]*cluster
	snapshots map[scope]map[string]*snapshot
	csnaps    map[scope]map[string]*clusterSnapshot
}

// New returns the RDS service, loading what env.State already holds. keys
// resolves KmsKeyId references (the KMS service).
func New(env *svc.Env, keys svc.KeyResolver) (*Service, error) {
	if keys == nil {
		return nil, errors.New("rds service needs a key resolver (the KMS service)")
	}
	s := &Service{env: env, keys: keys, instances: map[scope]map[string]*instance{},
		clusters: map[scope]map[string]*cluster{}, snapshots: map[scope]map[string]*snapshot{},
		csnaps: map[scope]map[string]*clusterSnapshot{}}
	err := load(env, kindInstance, func(v *instance) { put(s.instances, v.scope(), v.ID, v) })
	if err == nil {
		err = load(env, kindCluster, func(v *cluster) { put(s.clusters, v.scope(), v.ID, v) })
	}
	if err == nil {
		err = load(env, kindSnapshot, func(v *snapshot) { put(s.snapshots, v.scope(), v.ID, v) })
	}
	if err == nil {
		err = load(env, kindClusterSnapshot, func(v *clusterSnapshot) { put(s.csnaps, v.scope(), v.ID, v) })
	}
	if err != nil {
		return nil, fmt.Errorf("load rds state: %w", err)
	}
	return s, nil
}

func load[T any](env *svc.Env, kind string, add func(*T)) error {
	return env.State.Each(kind, func(id string, raw json.RawMessage) error {
		v := new(T)
		if err := json.Unmarshal(raw, v); err != nil {
			return fmt.Errorf("%s %s: %w", kind, id, err)
		}
		add(v)
		return nil
	})
}

func put[T any](m map[scope]map[string]*T, sc scope, id string, v *T) {
	in := m[sc]
	if in == nil {
		in = map[string]*T{}
		m[sc] = in
	}
	in[id] = v
}

// SigningName implements svc.Service.
func (s *Service) SigningName() string { return "rds" }

// Protocol implements svc.Service.
func (s *Service) Protocol() awsproto.Protocol { return awsproto.Query }

// Operation implements svc.Service: the Query Action.
func (s *Service) Operation(r *http.Request, body []byte) (string, *awsproto.Error) {
	form, err := awsproto.QueryForm(r, body)
	if err != nil {
		return "", err
	}
	return form.Get("Action"), nil
}

type handler func(s *Service, c *svc.Call, p params) (any, *awsproto.Error)

var handlers = map[string]handler{
	"DescribeDBInstances":             (*Service).describeInstances,
	"DescribeDBClusters":              (*Service).describeClusters,
	"DescribeDBSnapshots":             (*Service).describeSnapshots,
	"CreateDBInstance":                (*Service).createInstance,
	"CreateDBCluster":                 (*Service).createCluster,
	"CreateDBSnapshot":                (*Service).createSnapshot,
	"CopyDBSnapshot":                  (*Service).copySnapshot,
	"RestoreDBInstanceFromDBSnapshot": (*Service).restoreInstance,
	"ModifyDBInstance":                (*Service).modifyInstance,
	"StopDBInstance":                  (*Service).stopInstance,
	"StartDBInstance":                 (*Service).startInstance,
	"CreateDBClusterSnapshot":         (*Service).createClusterSnapshot,
	"CopyDBClusterSnapshot":           (*Service).copyClusterSnapshot,
	"DescribeDBClusterSnapshots":      (*Service).describeClusterSnapshots,
	"RestoreDBClusterFromSnapshot":    (*Service).restoreCluster,
	"ModifyDBCluster":                 (*Service).modifyCluster,
	"StopDBCluster":                   (*Service).stopCluster,
	"StartDBCluster":                  (*Service).startCluster,
	"DeleteDBInstance":                (*Service).deleteInstance,
	"DeleteDBCluster":                 (*Service).deleteCluster,
	"DeleteDBSnapshot":                (*Service).deleteSnapshot,
	"DeleteDBClusterSnapshot":         (*Service).deleteClusterSnapshot,
}

// Serve implements svc.Service.
func (s *Service) Serve(w http.ResponseWriter, c *svc.Call) {
	form, perr := awsproto.QueryForm(c.Req, c.Body)
	if perr != nil {
		awsproto.WriteError(w, awsproto.Query, c.RequestID, perr)
		return
	}
	h := handlers[c.Op]
	if h == nil {
		awsproto.WriteError(w, awsproto.Query, c.RequestID, awsproto.Errorf("InvalidAction",
			"The action %s is not valid for this web service.", c.Op))
		return
	}
	result, err := h(s, c, params(form))
	if err != nil {
		awsproto.WriteError(w, awsproto.Query, c.RequestID, err)
		return
	}
	awsproto.WriteQuery(w, c.RequestID, envelope(c.Op, c.RequestID, result))
}

// persist writes v before the request is acknowledged.
func (s *Service) persist(kind, key string, v any) *awsproto.Error {
	if err := s.env.State.Put(kind, key, v); err != nil {
		return internalError(err)
	}
	return nil
}

func (s *Service) unpersist(kind, key string) *awsproto.Error {
	if err := s.env.State.Delete(kind, key); err != nil {
		return internalError(err)
	}
	return nil
}

func internalError(err error) *awsproto.Error {
	return &awsproto.Error{Status: http.StatusInternalServerError, Code: "InternalFailure",
		Message: "the sandbox could not persist state: " + err.Error(), Server: true}
}
