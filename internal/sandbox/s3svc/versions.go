package s3svc

import "net/http"

// versionOperation names the versioning and Object Lock operations.
func versionOperation(r *http.Request, t target, q map[string][]string) string {
	return ""
}
