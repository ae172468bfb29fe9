package s3controlsvc

import (
	"net/http"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// pathPrefix is S3 Control's API version path.
const pathPrefix = "/v20180820/"

// Front serves the "s3" signing name for S3 and S3 Control together:
// S3 Control requests (the x-amz-account-id header and /v20180820/) go to
// Control, every other request to S3.
type Front struct {
	S3      svc.Service
	Control *Service
}

// IsControl reports whether r is an S3 Control request.
func IsControl(r *http.Request) bool {
	return r.Header.Get("x-amz-account-id") != "" && strings.HasPrefix(r.URL.EscapedPath(), pathPrefix)
}

// SigningName implements svc.Service.
func (f Front) SigningName() string { return "s3" }

// Protocol implements svc.Service.
func (f Front) Protocol() awsproto.Protocol { return awsproto.RestXML }

// Operation implements svc.Service.
func (f Front) Operation(r *http.Request, body []byte) (string, *awsproto.Error) {
	if IsControl(r) {
		return f.Control.Operation(r, body)
	}
	return f.S3.Operation(r, body)
}

// Serve implements svc.Service.
func (f Front) Serve(w http.ResponseWriter, c *svc.Call) {
	if IsControl(c.Req) {
		f.Control.Serve(w, c)
		return
	}
	f.S3.Serve(w, c)
}

// AdminHandler implements svc.Admin with S3's admin operations.
func (f Front) AdminHandler() http.Handler {
	if a, ok := f.S3.(svc.Admin); ok {
		return a.AdminHandler()
	}
	return http.NotFoundHandler()
}
