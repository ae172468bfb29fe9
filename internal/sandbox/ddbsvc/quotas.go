package ddbsvc

import (
	"net/http"
	"slices"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/faults"
)

// Quotas are DynamoDB's documented control-plane limit: 2,500 requests per
// second per account and Region across control-plane operations.
func Quotas() []faults.Quota {
	ops := make([]string, 0, len(handlers))
	for op := range handlers {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return []faults.Quota{{Name: "control-plane", PerSecond: 2500, Ops: ops}}
}

// ThrottleError is DynamoDB's control-plane throttling error.
func ThrottleError() *awsproto.Error {
	return &awsproto.Error{Status: http.StatusBadRequest, Code: "ThrottlingException",
		Message: "Rate of requests exceeds the allowed throughput."}
}
