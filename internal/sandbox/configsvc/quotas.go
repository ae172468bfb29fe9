package configsvc

import (
	"net/http"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

// ThrottleError is Config's throttling error. Config publishes no per-API
// request rates for these operations, so the sandbox registers no quotas
// for it; throttling is injected with fault rules instead.
func ThrottleError() *awsproto.Error {
	return &awsproto.Error{Status: http.StatusBadRequest, Code: "ThrottlingException", Message: "Rate exceeded"}
}
