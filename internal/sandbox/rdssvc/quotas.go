package rdssvc

import (
	"net/http"
	"slices"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/faults"
)

// Quotas are RDS's documented API request limits: one token bucket per
// account and Region shared by every operation, a sustained 12 requests
// per second (the documented burst is 300; the injector's buckets hold one
// second of tokens, so bursts are throttled sooner than in AWS).
func Quotas() []faults.Quota {
	ops := make([]string, 0, len(handlers))
	for op := range handlers {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return []faults.Quota{{Name: "rds-api", PerSecond: 12, Ops: ops}}
}

// ThrottleError is what RDS returns when the request rate is exceeded (the
// Query error code is "Throttling").
func ThrottleError() *awsproto.Error {
	return &awsproto.Error{Status: http.StatusBadRequest, Code: "Throttling", Message: "Rate exceeded"}
}
