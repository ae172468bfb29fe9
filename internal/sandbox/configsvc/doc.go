// Package configsvc is the sandbox's AWS Config (JSON 1.1, target prefix
// StarlingDoveService): configuration items recorded from the live RDS,
// DynamoDB and S3 state of the same account and Region (read through the
// narrow Source interface those services implement), their history
// (created, changed, deleted; GetResourceConfigHistory with its time
// range), the evaluations a custom rule puts with PutEvaluations and the
// compliance views over them (by rule, by resource), and an admin call that
// emits real-shaped Lambda events for a custom rule (with Config's
// service-linked role as executionRoleArn, as in an organization) so a
// handler can run end to end. Tests get two fault hooks: InjectItem for
// items the services cannot produce, FailEvaluations for FailedEvaluations
// on demand. It does not run rules or invoke Lambda functions, and it
// holds no credentials.
package configsvc
