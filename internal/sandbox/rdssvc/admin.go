package rdssvc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// BulkRequest is the body of POST /_byok/rds/bulk: Count resources named
// Prefix-00000… in one account and Region, created without the API (for
// the 30,000-resource benchmark). Kind is "instance" or "cluster";
// clusters get MembersPerCluster Aurora members each. KeyID, when set, is
// resolved through KMS as the account's admin user would resolve it, and
// implies Encrypted.
type BulkRequest struct {
	Account           string `json:"account"`
	Region            string `json:"region"`
	Kind              string `json:"kind"`
	Count             int    `json:"count"`
	Prefix            string `json:"prefix"`
	Engine            string `json:"engine,omitempty"`
	Encrypted         bool   `json:"encrypted,omitempty"`
	KeyID             string `json:"keyId,omitempty"`
	MembersPerCluster int    `json:"membersPerCluster,omitempty"`
}

// MaxBulk bounds one bulk request.
const MaxBulk = 100000

// AdminHandler implements svc.Admin: POST /bulk.
func (s *Service) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /bulk", func(w http.ResponseWriter, r *http.Request) {
		var req BulkRequest
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			adminError(w, http.StatusBadRequest, fmt.Sprintf("bulk: body must be a BulkRequest: %v", err))
			return
		}
		n, err := s.Bulk(req)
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int{"created": n})
	})
	return mux
}

func adminError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// Bulk creates the resources of req and returns how many it created.
func (s *Service) Bulk(req BulkRequest) (int, error) {
	if err := req.validate(); err != nil {
		return 0, err
	}
	now := s.env.Clock.Now()
	keyARN := ""
	if req.Encrypted || req.KeyID != "" {
		c := adminCall(req.Account, req.Region, now)
		var aerr *awsproto.Error
		if keyARN, aerr = s.resolveKey(&c, req.KeyID); aerr != nil {
			return 0, fmt.Errorf("bulk: %s", aerr.Message)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.bulkConflict(req); err != nil {
		return 0, err
	}
	n := 0
	for k := range req.Count {
		id := fmt.Sprintf("%s-%05d", req.Prefix, k)
		var aerr *awsproto.Error
		if req.Kind == "cluster" {
			aerr = s.bulkCluster(req, id, keyARN, now)
		} else {
			aerr = s.bulkInstance(req, id, "", keyARN, now)
		}
		if aerr != nil {
			return n, fmt.Errorf("bulk: %s", aerr.Message)
		}
		n++
	}
	return n, nil
}

func (req *BulkRequest) validate() error {
	switch {
	case len(req.Account) != 12:
		return fmt.Errorf("bulk: account must be a 12-digit account ID, got %q", req.Account)
	case req.Region == "":
		return fmt.Errorf("bulk: region is required (e.g. eu-west-1)")
	case req.Kind != "instance" && req.Kind != "cluster":
		return fmt.Errorf("bulk: kind must be \"instance\" or \"cluster\", got %q", req.Kind)
	case req.Count < 1 || req.Count > MaxBulk:
		return fmt.Errorf("bulk: count must be 1–%d, got %d", MaxBulk, req.Count)
	case !validIdentifier(req.Prefix) || len(req.Prefix) > 50:
		return fmt.Errorf("bulk: prefix %q is not a valid RDS identifier prefix (letter first, letters/digits/hyphens, ≤ 50 chars)", req.Prefix)
	case req.MembersPerCluster < 0 || req.MembersPerCluster > 15:
		return fmt.Errorf("bulk: membersPerCluster must be 0–15 (Aurora allows 15 replicas)")
	}
	if req.Engine == "" {
		req.Engine = map[string]string{"instance": "postgres", "cluster": "aurora-postgresql"}[req.Kind]
	}
	if aurora(req.Engine) != (req.Kind == "cluster") {
		return fmt.Errorf("bulk: engine %q does not fit kind %q (clusters take aurora-*, instances the others)", req.Engine, req.Kind)
	}
	return nil
}

func (s *Service) bulkConflict(req BulkRequest) error {
	sc := scope{req.Account, req.Region}
	for k := range req.Count {
		id := fmt.Sprintf("%s-%05d", req.Prefix, k)
		if s.instances[sc][id] != nil || s.clusters[sc][id] != nil {
			return fmt.Errorf("bulk: %s already exists in %s/%s; choose another prefix", id, req.Account, req.Region)
		}
	}
	return nil
}

func (s *Service) bulkInstance(req BulkRequest, id, clusterID, keyARN string, now time.Time) *awsproto.Error {
	i := &instance{Account: req.Account, Region: req.Region, ID: id, ResourceID: resourceID("db-"),
		Class: "db.t4g.micro", Engine: req.Engine, EngineVersion: defaultVersion(req.Engine), lifecycle: lifecycle{Status: statusAvailable},
		ClusterID: clusterID, StorageEncrypted: keyARN != "", KmsKeyID: keyARN, AllocatedStorage: 20,
		CreatedAt: now, ChangedAt: now}
	if clusterID != "" {
		i.AllocatedStorage, i.PromotionTier = 1, 1
	}
	if err := s.persist(kindInstance, storeKey(i.Account, i.Region, id), i); err != nil {
		return err
	}
	put(s.instances, i.scope(), id, i)
	return nil
}

func (s *Service) bulkCluster(req BulkRequest, id, keyARN string, now time.Time) *awsproto.Error {
	cl := &cluster{Account: req.Account, Region: req.Region, ID: id, ResourceID: resourceID("cluster-"),
		Engine: req.Engine, EngineVersion: defaultVersion(req.Engine), lifecycle: lifecycle{Status: statusAvailable},
		StorageEncrypted: keyARN != "", KmsKeyID: keyARN, CreatedAt: now, ChangedAt: now}
	if err := s.persist(kindCluster, storeKey(cl.Account, cl.Region, id), cl); err != nil {
		return err
	}
	put(s.clusters, cl.scope(), id, cl)
	for m := range req.MembersPerCluster {
		if err := s.bulkInstance(req, fmt.Sprintf("%s-m%d", id, m), id, keyARN, now.Add(time.Duration(m))); err != nil {
			return err
		}
	}
	return nil
}

// adminCall stands for the account's admin user in region, the identity
// bulk creation resolves keys as.
func adminCall(account, region string, now time.Time) svc.Call {
	return svc.Call{Op: "CreateDBInstance", Region: region, Now: now, RequestID: awsproto.NewRequestID(),
		Caller: identity.Principal{Type: identity.IAMUser, Account: account,
			ARN: "arn:aws:iam::" + account + ":user/byok-admin", UserID: "AIDA" + account}}
}
