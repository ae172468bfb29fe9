// Package conformance holds AWS behaviour tests that cut across services
// (Config's PutEvaluations limits and read errors, KMS not-found answers
// and import semantics, the Config rule reading a recorded bucket). Each
// test body runs through backend.Each: against the in-process sandbox
// always, and against a real AWS test account when BYOK_CONFORMANCE_AWS=1
// (see package backend and docs/operations.md). A difference between the
// sandbox and AWS shows up as a failing "aws" subtest instead of a surprise
// in production.
//
// On AWS the suite reads, validates in PutEvaluations' TestMode, creates
// one empty S3 bucket (deleted at the end) for Config to record, and two
// EXTERNAL KMS keys tagged byok-conformance=RUN whose deletion it
// schedules (7 days).
//
// The package has no non-test code; the fixture is package backend, and
// the service-level suites live beside each sandbox service and in
// internal/configrule.
package conformance
