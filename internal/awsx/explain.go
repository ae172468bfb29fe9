package awsx

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// Credential errors a command can meet at its first AWS call, each with
// what to do; Explain wraps the SDK error in one of them.
var (
	ErrBadSignature = errors.New("AWS refused the request signature: the secret access key does not belong to the access key ID (check AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key, or the clock if it is off by minutes)")
	ErrBadToken     = errors.New("AWS does not know the access key ID or session token: it was deleted, expired or belongs to another partition (refresh it: aws sso login, aws configure, or a new session token)")
)

// signatureCodes and tokenCodes are the error codes AWS services answer
// for a bad signature or an unknown key/token (Query APIs: STS, RDS, S3 use
// SignatureDoesNotMatch/InvalidClientTokenId; JSON APIs: KMS, DynamoDB,
// CloudTrail use InvalidSignatureException/UnrecognizedClientException).
var (
	signatureCodes = map[string]bool{"SignatureDoesNotMatch": true, "InvalidSignatureException": true, "IncompleteSignature": true}
	tokenCodes     = map[string]bool{"InvalidClientTokenId": true, "UnrecognizedClientException": true,
		"ExpiredToken": true, "ExpiredTokenException": true, "InvalidAccessKeyId": true}
)

// Explain adds the operator's next step to a credential error anywhere in
// err's chain, matched by AWS error code and operation name, never by
// message text: a bad signature, an unknown or expired key, or AssumeRole
// refused (the credentials are not allowed to assume the operator or
// verify role, typically another account's credentials). Other errors and
// errors already explained are returned unchanged.
func Explain(err error) error {
	if err == nil || errors.Is(err, ErrBadSignature) || errors.Is(err, ErrBadToken) || errors.Is(err, ErrCannotAssume) {
		return err
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch code := ae.ErrorCode(); {
	case signatureCodes[code]:
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	case tokenCodes[code]:
		return fmt.Errorf("%w: %w", ErrBadToken, err)
	case (code == "AccessDenied" || code == "AccessDeniedException") && inOperation(err, "AssumeRole"):
		return fmt.Errorf("%w: check with aws sts get-caller-identity that the credentials are the ones the role trusts "+
			"(the Security account's for roles.operator; see deploy/operator-roles.yaml and deploy/member-account.yaml): %w", ErrCannotAssume, err)
	}
	return err
}

// inOperation reports whether an SDK operation named op appears in err's
// chain (a KMS call whose credentials came from a failed AssumeRole holds
// both operations).
func inOperation(err error, op string) bool {
	var oe *smithy.OperationError
	for e := err; e != nil; {
		if errors.As(e, &oe) {
			if oe.OperationName == op {
				return true
			}
			e = oe.Err
			continue
		}
		return false
	}
	return false
}
