// Package app wires byok together, once, for every entry point: the estate,
// the SDK clients of every account and Region (one cache, one HTTP
// transport), the state store, the audit log, the HSM session and the
// rotation engine. The CLI (cmd/byok) and the demo (internal/demo) both
// build their application here, so a rotation run from either is made of
// the same parts configured the same way.
//
// It owns construction and shutdown order only; it makes no AWS call of
// its own except the caller identity (STS GetCallerIdentity) recorded
// with runs and audit entries, and reads no flags or environment.
package app
