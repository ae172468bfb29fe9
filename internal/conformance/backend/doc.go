// Package backend is the test fixture that lets one test body run against
// the in-process sandbox and against real AWS, as litestream runs one
// replica-client suite against every storage backend.
//
// Each(t, fn) runs fn as the subtest "sandbox" (always) and "aws". The
// "aws" subtest is selected by environment (Select): without
// BYOK_CONFORMANCE_AWS=1 it is skipped with a message naming the variables
// to set; with it, missing or unusable credentials fail the test, never
// skip it. A Backend hands the test an SDK configuration per account (the
// Security account and a consumer account), a run ID that makes resource
// names unique, the tag byok-conformance=RUN, and helpers that register
// the cleanup AWS needs (KMS keys scheduled for deletion after the 7-day
// minimum, buckets emptied and deleted, tables deleted).
//
// Assertions only a sandbox can make (clock advance, fault injection,
// counters, admin API, seeding) call RequireSandbox, which skips the "aws"
// variant with the reason. Everything else must use public AWS APIs only.
// RunOnProcess proves that: it starts `byok sandbox` as a separate process
// and re-runs the current test binary's "aws" subtests against it through
// its endpoint and the credentials it prints, without its admin token.
//
// The package must not be imported by non-test code.
package backend
