// Package configsvc is the sandbox's AWS Config (JSON 1.1, target prefix
// StarlingDoveService): configuration items recorded from the live RDS,
// DynamoDB and S3 state of the same account and Region (read through the
// narrow Source interface those services implement), their history
// (created, changed, deleted), the evaluations a custom rule puts with
// PutEvaluations, and an admin call that emits real-shaped Lambda events
// for a custom rule so a handler can run end to end. It does not run
// rules or invoke Lambda functions, and it holds no credentials.
package configsvc
