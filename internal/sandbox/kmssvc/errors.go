package kmssvc

import (
	"net/http"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

// Error constructors, with AWS's exception names and message wording.

func errNotFoundKey(arn string) *awsproto.Error {
	return awsproto.Errorf("NotFoundException", "Key '%s' does not exist", arn)
}

func errNotFoundAlias(aliasARN string) *awsproto.Error {
	return awsproto.Errorf("NotFoundException", "Alias %s is not found.", aliasARN)
}

func errInvalidKeyID(ref string) *awsproto.Error {
	return awsproto.Errorf("NotFoundException", "Invalid keyId '%s'", ref)
}

func errInvalidARN(ref string) *awsproto.Error {
	return awsproto.Errorf("InvalidArnException", "ARN %s is not a valid KMS key or alias ARN", ref)
}

func errDisabled(arn string) *awsproto.Error {
	return awsproto.Errorf("DisabledException", "%s is disabled.", arn)
}

func errInvalidState(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf("KMSInvalidStateException", format, args...)
}

// errKeyState is the KMSInvalidStateException for a key whose state forbids
// the operation ("arn:… is pending import.").
func errKeyState(k *key) *awsproto.Error {
	switch k.state() {
	case statePendingDeletion:
		return errInvalidState("%s is pending deletion.", k.ARN)
	case statePendingImport:
		return errInvalidState("%s is pending import.", k.ARN)
	case stateDisabled:
		return errDisabled(k.ARN)
	}
	return errInvalidState("%s is %s.", k.ARN, k.state())
}

func errValidation(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf("ValidationException", format, args...)
}

// errNull is AWS's message for a missing required member.
func errNull(member string) *awsproto.Error {
	return errValidation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

func errUnsupported(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf("UnsupportedOperationException", format, args...)
}

func errInvalidCiphertext() *awsproto.Error {
	return awsproto.Errorf("InvalidCiphertextException", "")
}

func errAccessDenied(callerARN, action, keyARN string, explicit bool) *awsproto.Error {
	why := "because no resource-based policy allows the kms:" + action + " action"
	if explicit {
		why = "with an explicit deny in a resource-based policy"
	}
	return awsproto.Errorf("AccessDeniedException", "User: %s is not authorized to perform: kms:%s on resource: %s %s",
		callerARN, action, keyARN, why)
}

func errInternal(what string) *awsproto.Error {
	return &awsproto.Error{Status: http.StatusInternalServerError, Code: "KMSInternalException",
		Message: "The sandbox could not " + what, Server: true}
}

// ThrottleError is KMS's throttling error, for faults.Injector.Register.
func ThrottleError() *awsproto.Error {
	return awsproto.Errorf("ThrottlingException", "Rate exceeded")
}
