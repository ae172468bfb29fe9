package sandbox

import (
	"errors"
	"net/http"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	"github.com/byok-dev/byok/internal/sandbox/sigv4"
)

// authError maps an authentication failure to the code and message AWS
// returns for that protocol family.
func authError(p awsproto.Protocol, err error) *awsproto.Error {
	kind := authKind(err)
	switch p {
	case awsproto.JSON10, awsproto.JSON11:
		return jsonAuthError(kind, err)
	case awsproto.Query:
		return queryAuthError(kind, err)
	}
	return s3AuthError(kind, err)
}

type authFailure int

const (
	authUnknown authFailure = iota
	authMissing
	authBadKey
	authExpired
	authSignature
	authSkew
	authScopeDate
	authContentHash
)

func authKind(err error) authFailure {
	switch {
	case errors.Is(err, sigv4.ErrMissing):
		return authMissing
	case errors.Is(err, identity.ErrUnknownKey), errors.Is(err, identity.ErrBadToken):
		return authBadKey
	case errors.Is(err, identity.ErrExpired):
		return authExpired
	case errors.Is(err, sigv4.ErrSkew):
		return authSkew
	case errors.Is(err, sigv4.ErrScopeDate):
		return authScopeDate
	case errors.Is(err, sigv4.ErrContentHash):
		return authContentHash
	}
	return authSignature
}

const sigMismatchMsg = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

func skewMessage(err error) string {
	_, msg, _ := strings.Cut(err.Error(), ": ")
	return msg
}

func jsonAuthError(k authFailure, err error) *awsproto.Error {
	switch k {
	case authMissing:
		return &awsproto.Error{Status: http.StatusBadRequest, Code: "MissingAuthenticationTokenException", Message: "Missing Authentication Token"}
	case authBadKey:
		return &awsproto.Error{Status: http.StatusBadRequest, Code: "UnrecognizedClientException", Message: "The security token included in the request is invalid."}
	case authExpired:
		return &awsproto.Error{Status: http.StatusBadRequest, Code: "ExpiredTokenException", Message: "The security token included in the request is expired"}
	case authSkew, authScopeDate:
		return &awsproto.Error{Status: http.StatusBadRequest, Code: "InvalidSignatureException", Message: skewMessage(err)}
	}
	return &awsproto.Error{Status: http.StatusBadRequest, Code: "InvalidSignatureException", Message: sigMismatchMsg}
}

func queryAuthError(k authFailure, err error) *awsproto.Error {
	switch k {
	case authMissing:
		return &awsproto.Error{Status: http.StatusForbidden, Code: "MissingAuthenticationToken", Message: "Request is missing Authentication Token"}
	case authBadKey:
		return &awsproto.Error{Status: http.StatusForbidden, Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
	case authExpired:
		return &awsproto.Error{Status: http.StatusForbidden, Code: "ExpiredToken", Message: "The security token included in the request is expired"}
	case authSkew, authScopeDate:
		return &awsproto.Error{Status: http.StatusForbidden, Code: "SignatureDoesNotMatch", Message: skewMessage(err)}
	}
	return &awsproto.Error{Status: http.StatusForbidden, Code: "SignatureDoesNotMatch", Message: sigMismatchMsg}
}

func s3AuthError(k authFailure, err error) *awsproto.Error {
	switch k {
	case authMissing:
		return &awsproto.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied"}
	case authBadKey:
		return &awsproto.Error{Status: http.StatusForbidden, Code: "InvalidAccessKeyId", Message: "The AWS Access Key Id you provided does not exist in our records."}
	case authExpired:
		return &awsproto.Error{Status: http.StatusBadRequest, Code: "ExpiredToken", Message: "The provided token has expired."}
	case authSkew:
		return &awsproto.Error{Status: http.StatusForbidden, Code: "RequestTimeTooSkewed", Message: "The difference between the request time and the current time is too large."}
	case authScopeDate:
		return &awsproto.Error{Status: http.StatusBadRequest, Code: "AuthorizationHeaderMalformed",
			Message: "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date."}
	case authContentHash:
		return &awsproto.Error{Status: http.StatusBadRequest, Code: "XAmzContentSHA256Mismatch",
			Message: "The provided 'x-amz-content-sha256' header does not match what was computed."}
	}
	return &awsproto.Error{Status: http.StatusForbidden, Code: "SignatureDoesNotMatch", Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method."}
}
