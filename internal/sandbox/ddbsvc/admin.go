package ddbsvc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// BulkRequest is the body of POST /_byok/dynamodb/bulk: Count tables named
// Prefix-00000… (hash key "pk", on-demand) in one account and Region,
// created without the API. KeyID, when set, is resolved through KMS as the
// account's admin user would; Encrypted without KeyID uses
// alias/aws/dynamodb; neither leaves the AWS owned key.
type BulkRequest struct {
	Account   string `json:"account"`
	Region    string `json:"region"`
	Count     int    `json:"count"`
	Prefix    string `json:"prefix"`
	Encrypted bool   `json:"encrypted,omitempty"`
	KeyID     string `json:"keyId,omitempty"`
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
		w.Header().Set("Content-Type", "application/json")
		if err := dec.Decode(&req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "bulk: body must be a BulkRequest: " + err.Error()})
			return
		}
		n, err := s.Bulk(req)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]int{"created": n})
	})
	return mux
}

// Bulk creates the tables of req and returns how many it created.
func (s *Service) Bulk(req BulkRequest) (int, error) {
	switch {
	case len(req.Account) != 12:
		return 0, fmt.Errorf("bulk: account must be a 12-digit account ID, got %q", req.Account)
	case req.Region == "":
		return 0, fmt.Errorf("bulk: region is required (e.g. eu-west-1)")
	case req.Count < 1 || req.Count > MaxBulk:
		return 0, fmt.Errorf("bulk: count must be 1–%d, got %d", MaxBulk, req.Count)
	case checkName(req.Prefix+"-00000", "prefix") != nil || len(req.Prefix) > 240:
		return 0, fmt.Errorf("bulk: prefix %q does not make valid table names ([a-zA-Z0-9_.-], ≤ 240 chars)", req.Prefix)
	}
	now := s.env.Clock.Now()
	keyARN := ""
	if req.Encrypted || req.KeyID != "" {
		c := adminCall(req.Account, req.Region, now)
		on := true
		var aerr *awsproto.Error
		if keyARN, aerr = s.sseKey(&c, &sseSpecification{Enabled: &on, KMSMasterKeyId: req.KeyID}); aerr != nil {
			return 0, fmt.Errorf("bulk: %s", aerr.Message)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := scope{req.Account, req.Region}
	for k := range req.Count {
		if name := fmt.Sprintf("%s-%05d", req.Prefix, k); s.tables[sc][name] != nil {
			return 0, fmt.Errorf("bulk: table %s already exists in %s/%s; choose another prefix", name, req.Account, req.Region)
		}
	}
	for k := range req.Count {
		t := &table{Account: req.Account, Region: req.Region, Name: fmt.Sprintf("%s-%05d", req.Prefix, k), ID: uuid(),
			KeySchema: []keyElement{{AttributeName: "pk", KeyType: "HASH"}}, Attributes: []attributeDefinition{{AttributeName: "pk", AttributeType: "S"}},
			BillingMode: billingPayPerRequest, KeyARN: keyARN, CreatedAt: now, ChangedAt: now}
		if err := s.persist(t); err != nil {
			return k, fmt.Errorf("bulk: %s", err.Message)
		}
		s.put(t)
	}
	return req.Count, nil
}

// adminCall stands for the account's admin user, the identity bulk
// creation resolves keys as.
func adminCall(account, region string, now time.Time) svc.Call {
	return svc.Call{Op: "CreateTable", Region: region, Now: now, RequestID: awsproto.NewRequestID(),
		Caller: identity.Principal{Type: identity.IAMUser, Account: account,
			ARN: "arn:aws:iam::" + account + ":user/byok-admin", UserID: "AIDA" + account}}
}
