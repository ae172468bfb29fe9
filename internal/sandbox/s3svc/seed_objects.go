package s3svc

import (
	"fmt"
	"net/http"

	"github.com/byok-dev/byok/internal/sandbox/identity"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// ObjectsSeed is the body of POST /_byok/s3/objects: Count objects named
// Prefix0000000… in an existing bucket, Size bytes each, written as the
// bucket's owner would write them (the bucket's default encryption, so
// SSE-KMS objects really are sealed under KMS data keys). For benchmarks
// and demos of large buckets, where a million PutObject calls would
// measure the seeding instead of the product.
type ObjectsSeed struct {
	Bucket string `json:"bucket"`
	Prefix string `json:"prefix"`
	Count  int    `json:"count"`
	Size   int    `json:"size"`
}

// MaxSeedObjects bounds one objects seed.
const MaxSeedObjects = 2_000_000

func init() {
	adminRoutes = append(adminRoutes, func(s *Service, mux *http.ServeMux) {
		mux.HandleFunc("POST /objects", func(w http.ResponseWriter, r *http.Request) {
			var req ObjectsSeed
			if !decodeAdmin(w, r, &req) {
				return
			}
			n, err := s.SeedObjects(req)
			answer(w, n, err)
		})
	})
}

// SeedObjects writes req's objects and returns how many it wrote.
func (s *Service) SeedObjects(req ObjectsSeed) (int, error) {
	switch {
	case req.Count < 1 || req.Count > MaxSeedObjects:
		return 0, fmt.Errorf("s3 admin: count must be 1–%d, got %d", MaxSeedObjects, req.Count)
	case req.Size < 0 || req.Size > 1<<20:
		return 0, fmt.Errorf("s3 admin: size must be 0–1048576 bytes, got %d", req.Size)
	case len(req.Prefix)+7 > maxKeyBytes:
		return 0, fmt.Errorf("s3 admin: prefix too long (a key is at most %d bytes)", maxKeyBytes)
	}
	region, account, ok := s.BucketRegion(req.Bucket)
	if !ok {
		return 0, fmt.Errorf("s3 admin: bucket %s does not exist; create it first", req.Bucket)
	}
	c := svc.Call{Op: "PutObject", Region: region, Now: s.env.Clock.Now(), SourceIP: "byok-admin", UserAgent: "byok-admin",
		Caller: identity.Principal{Type: identity.Root, Account: account, ARN: "arn:" + s.env.Partition + ":iam::" + account + ":root"}}
	body := make([]byte, req.Size)
	for i := range req.Count {
		o := &object{Bucket: req.Bucket, Key: fmt.Sprintf("%s%07d", req.Prefix, i)}
		if err := s.write(&c, o, sseRequest{}, body); err != nil {
			return i, fmt.Errorf("s3 admin: object %s: %s: %s", o.Key, err.Code, err.Message)
		}
	}
	return req.Count, nil
}
