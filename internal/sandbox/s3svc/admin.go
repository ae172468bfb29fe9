package s3svc

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// BucketSeed creates one bucket without the API. Encryption nil makes a
// legacy bucket with no default-encryption configuration (possible only
// for buckets created before January 2023), the "unencrypted" case.
type BucketSeed struct {
	Account    string      `json:"account"`
	Region     string      `json:"region"`
	Name       string      `json:"name"`
	Encryption *Encryption `json:"encryption"`
}

// BulkRequest is the body of POST /_byok/s3/bulk: Count buckets named
// Prefix-00000… (globally unique names: choose a prefix per account) with
// the same default encryption (nil: legacy, none).
type BulkRequest struct {
	Account    string      `json:"account"`
	Region     string      `json:"region"`
	Count      int         `json:"count"`
	Prefix     string      `json:"prefix"`
	Encryption *Encryption `json:"encryption"`
}

// MaxBulk bounds one bulk request.
const MaxBulk = 100000

// AdminHandler implements svc.Admin: POST /bulk, POST /buckets and POST
// /objects (seed_objects.go).
func (s *Service) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /bulk", func(w http.ResponseWriter, r *http.Request) {
		var req BulkRequest
		if !decodeAdmin(w, r, &req) {
			return
		}
		n, err := s.Bulk(req)
		answer(w, n, err)
	})
	mux.HandleFunc("POST /buckets", func(w http.ResponseWriter, r *http.Request) {
		var req BucketSeed
		if !decodeAdmin(w, r, &req) {
			return
		}
		answer(w, 1, s.Seed(req))
	})
	for _, add := range adminRoutes {
		add(s, mux)
	}
	return mux
}

// adminRoutes are admin operations added in other files.
var adminRoutes []func(s *Service, mux *http.ServeMux)

func decodeAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		answer(w, 0, fmt.Errorf("s3 admin: malformed body: %w", err))
		return false
	}
	return true
}

func answer(w http.ResponseWriter, n int, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]int{"created": n})
}

// Seed creates one bucket.
func (s *Service) Seed(b BucketSeed) error {
	_, err := s.Bulk(BulkRequest{Account: b.Account, Region: b.Region, Count: 1, Prefix: b.Name, Encryption: b.Encryption})
	return err
}

// Bulk creates req's buckets; with Count 1 the bucket is named Prefix.
func (s *Service) Bulk(req BulkRequest) (int, error) {
	if err := req.validate(); err != nil {
		return 0, err
	}
	names := make([]string, req.Count)
	for k := range names {
		names[k] = fmt.Sprintf("%s-%05d", req.Prefix, k)
	}
	if req.Count == 1 {
		names[0] = req.Prefix
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		if !validBucketName(n) {
			return 0, fmt.Errorf("s3 admin: %q is not a valid bucket name (3–63 lowercase letters, digits, dots, hyphens)", n)
		}
		if s.buckets[n] != nil {
			return 0, fmt.Errorf("s3 admin: bucket %s already exists (bucket names are global); choose another prefix", n)
		}
	}
	for k, n := range names {
		b := &bucket{Name: n, Account: req.Account, Region: req.Region, CreatedAt: now, ChangedAt: now}
		if req.Encryption != nil {
			e := *req.Encryption
			b.Encryption = &e
		}
		if err := s.persist(b); err != nil {
			return k, fmt.Errorf("s3 admin: %s", err.Message)
		}
		s.buckets[n] = b
	}
	return len(names), nil
}

func (req *BulkRequest) validate() error {
	switch {
	case len(req.Account) != 12:
		return fmt.Errorf("s3 admin: account must be a 12-digit account ID, got %q", req.Account)
	case req.Region == "":
		return fmt.Errorf("s3 admin: region is required (e.g. eu-west-1)")
	case req.Count < 1 || req.Count > MaxBulk:
		return fmt.Errorf("s3 admin: count must be 1–%d, got %d", MaxBulk, req.Count)
	}
	if e := req.Encryption; e != nil {
		switch {
		case e.Algorithm != "AES256" && e.Algorithm != "aws:kms" && e.Algorithm != "aws:kms:dsse":
			return fmt.Errorf("s3 admin: encryption.algorithm must be AES256, aws:kms or aws:kms:dsse, got %q", e.Algorithm)
		case e.Algorithm == "AES256" && e.KMSMasterKeyID != "":
			return fmt.Errorf("s3 admin: kmsMasterKeyId applies only to aws:kms and aws:kms:dsse")
		}
	}
	return nil
}
