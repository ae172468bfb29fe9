// Package kmssvc is the sandbox's AWS KMS (JSON 1.1, target prefix
// "TrentService"): symmetric keys with AWS_KMS or EXTERNAL origin, multi-Region
// primaries and replicas, aliases, tags, key policies evaluated for
// cross-account callers, imported key material (GetParametersForImport with
// real RSA wrapping keys, ImportKeyMaterial with OAEP or RSA-AES key wrap,
// NEW and EXISTING imports, expiry, deletion), on-demand rotation of imported
// material, real AES-256-GCM Encrypt/Decrypt/GenerateDataKey/ReEncrypt, and
// grants (CreateGrant, ListGrants, ListRetirableGrants, RetireGrant,
// RevokeGrant) that authorize their grantee where the key policy does not,
// subject to encryption-context constraints (effective at once: the sandbox
// has no eventual consistency; grant tokens are issued and verified).
// Every call, failures included, is recorded as a CloudTrail event.
//
// It owns KMS semantics only: authentication, routing, fault injection and
// quotas are the server's. Every mutation is persisted through Env.State
// before it is acknowledged; cryptographic calls write nothing but their
// trail event. Time that AWS shows comes from the sandbox clock (Call.Now).
// Key material is a sandbox-side secret: it lives in the state file (as it
// would in AWS's HSMs) and never in a log, an error or a trail event.
package kmssvc
