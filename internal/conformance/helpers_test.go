package conformance_test

import (
	"errors"

	"github.com/aws/smithy-go"
)

// code is the AWS error code of err ("" when err is nil or not an API error).
func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
