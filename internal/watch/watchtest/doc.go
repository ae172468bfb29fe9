// Package watchtest deploys, through the real SDK, what deploy/'s
// KmsFailedCallsWatch creates in one account and Region (the log group of
// failed KMS calls, its resource policy for events.amazonaws.com, the
// EventBridge rule with watch.RulePattern and watch.RuleState targeting
// the group), so tests and benchmarks against the sandbox read the
// eventbridge watch source as byok reads it in AWS. It is for tests only.
package watchtest
