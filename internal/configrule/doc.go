// Package configrule owns the AWS Config custom rule: it decodes the Lambda
// events AWS Config sends (change, oversized and scheduled notifications),
// turns configuration items into compliance.Resource exactly as Config
// records them, runs the shared evaluator and reports the verdicts with
// PutEvaluations in the member account.
//
// It never decides a verdict itself beyond NOT_APPLICABLE for resources that
// are deleted, not recorded or out of scope; everything else comes from the
// evaluator (package compliance). It never sends INSUFFICIENT_DATA (AWS
// rejects it) and never turns an error reading key facts into a verdict:
// when key facts cannot be read (KMS down, or a throttling storm that
// outlasts the invocation's budget) it sends only what needs no key facts
// and fails the invocation, naming the rest, so that Config retries it.
// It reads no tags. An event whose result token is "TESTMODE" (a test
// invocation, as in AWS's sample rules) is evaluated as any other and its
// evaluations are sent with PutEvaluations' TestMode: validated, not
// recorded.
package configrule
