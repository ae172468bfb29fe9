// Package rotation rotates the imported key material of estate keys, in
// place (ImportKeyMaterial NEW_KEY_MATERIAL + RotateKeyOnDemand: key ID and
// ARN unchanged) or to a new key (CreateKey EXTERNAL + UpdateAlias), as a
// journaled step machine: every step is recorded in the store before and
// after it runs, and every step is idempotent given what the journal and
// KMS say, so a process killed at any point resumes (`byok resume RUN`)
// without importing twice or losing the HSM object.
//
// Expiring material is not rotated (a rotation adds material but the old
// one keeps its ValidTo, and any expiring material stops the whole key):
// a run with strategy reimport imports that same material again from the
// HSM object byok created for it (found through the KeyMaterialDescription,
// which names the byok run), as EXISTING_KEY_MATERIAL without expiry —
// journaled and resumable like a rotation.
//
// Keys of a run rotate concurrently. Every AWS call is paced under the
// Security account's request quotas (Limits; GetParametersForImport at 1
// per second is the bound of a large run), and each key starts as soon as
// its own plan is in, so planning overlaps the import work of earlier keys.
//
// It owns the order and the safety rules of a rotation (refuse foreign
// pending material, the 25-rotation limit, one run per key, never delete
// material); it does not parse the estate, talk PKCS#11 directly (package
// hsm), or judge compliance (package compliance).
package rotation
