// Package conformance runs one suite of AWS behaviour tests against every
// backend byok talks to: the embedded sandbox always, and a real AWS test
// account when asked explicitly, as litestream runs one replica-client
// suite against every storage backend. A test written with Each runs the
// same assertions on both, so a difference between the sandbox and AWS
// shows up as a failing "aws" subtest instead of a surprise in production.
//
// Real AWS is opt-in and never ambient: BYOK_CONFORMANCE_AWS=1 and
// BYOK_CONFORMANCE_PROFILE=<shared-config profile of a test account>
// (region BYOK_CONFORMANCE_REGION, default eu-west-1). Without them the
// "aws" subtests skip with a message saying how to run them; with them an
// unreachable account fails the test. The suite reads, validates in
// PutEvaluations' TestMode, creates one empty S3 bucket (deleted at the
// end) for Config to record, and two EXTERNAL KMS keys whose deletion it
// schedules (7 days). See docs/operations.md.
//
// The package holds the targets only; the tests live in its _test files.
package conformance
