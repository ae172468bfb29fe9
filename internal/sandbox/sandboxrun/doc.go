// Package sandboxrun assembles a complete local AWS sandbox: the server of
// package sandbox with every service the sandbox hosts (KMS, STS,
// CloudTrail, RDS, …) registered with their request quotas, listening on a
// loopback address, plus what clients need to reach it: the accounts, their
// credentials as environment exports, an aws.Config per account, and the
// clock, fault and counter controls tests use. It holds no AWS semantics of
// its own and never seeds anything (package seed does); `byok sandbox`,
// `byok demo` and every integration test start the sandbox through it.
package sandboxrun
