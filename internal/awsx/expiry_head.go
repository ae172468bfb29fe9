package awsx

import (
	"errors"
	"net/http"

	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// bodilessS3Expiry: S3 answers an expired session token with 400
// ExpiredToken, but a HEAD response has no body, so the SDK can only say
// "BadRequest". A HEAD answered 400 is treated as a possible expiry: the
// sessions are fetched again and the call retried (a HEAD that is bad
// for another reason fails the same way on its retries).
func bodilessS3Expiry(err error) bool {
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.Response == nil || re.Response.Response == nil || re.Response.Request == nil {
		return false
	}
	return re.Response.Request.Method == http.MethodHead && re.Response.StatusCode == http.StatusBadRequest
}
