// Package hsm owns every conversation with a PKCS#11 token: loading the
// module, finding the token a pkcs11: URI names, logging in once, generating
// AES-256 key material as a persistent token object, wrapping it under a KMS
// wrapping public key (CKM_RSA_PKCS_OAEP, CKM_RSA_AES_KEY_WRAP), listing and
// destroying byok's objects, and probing which KMS wrapping algorithms the
// token really supports.
//
// Rules it enforces: key material never leaves the token except wrapped (no
// code path reads CKA_VALUE); a wrong PIN is tried once and never retried
// (each retry burns the token's lockout counter); RSAES_PKCS1_V1_5 is refused;
// a public key that is not RSA or is shorter than the configured spec is
// refused; a token that cannot do the requested algorithm is an error naming
// what it can do, never a silent downgrade. The SHA-256 of every wrapped blob
// is recorded at wrap time (Wrapped.Verify re-checks it before import).
//
// It must not print, must not log PINs or blobs, and must not talk to AWS.
// Built without cgo, Open returns ErrNoCgo so binaries that never touch an
// HSM (the Config rule Lambda) still build with CGO_ENABLED=0.
package hsm
