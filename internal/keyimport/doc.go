// Package keyimport moves key material from the HSM to KMS as ciphertext
// only, and is the one place that does: find or generate the HSM object
// (its label and CKA_ID rules) → GetParametersForImport → wrap inside the
// HSM under the returned public key → check the blob's SHA-256 recorded at
// wrap time → ImportKeyMaterial → on an expired import token, new
// parameters and a new wrap of the same object. Run is that sequence in
// one call (byok import, the demo's seeding, replica imports); the
// rotation engine journals each part as its own step and calls the same
// functions (FindOrGenerate, GetParameters, Wrap, ImportRewrapping).
//
// It never sees plaintext material (the HSM wraps) and never logs the
// import token or the blob, only the blob's digest. It does not decide
// what to import (the rotation engine and the import command do).
package keyimport
