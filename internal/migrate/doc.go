// Package migrate plans moving RDS instances, Aurora clusters, DynamoDB
// tables and S3 buckets onto their estate key: for every resource the scan
// finds off it (KEY_SUPERSEDED, AWS_MANAGED_KEY, KEY_OUTSIDE_ESTATE,
// WRONG_ESTATE_KEY, NOT_KMS_ENCRYPTED, UNENCRYPTED) it names the target key
// by ARN (never an alias, which would resolve in the writer's account), the
// method, its steps, the downtime class, an estimate and the results of
// pre-flight checks, or says why it cannot.
//
// The planner (Draft, Evaluate) is pure; Gather reads what the pre-flight
// needs through the member account's migration role, streaming S3
// listings. It reuses the scan's inventory and evaluator and changes
// nothing: applying a plan belongs to the rotation state machine.
package migrate
