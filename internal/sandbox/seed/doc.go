// Package seed stands up an estate in a running sandbox the way an operator
// would have before byok: the Security and consumer accounts, the operator
// and verify roles with their trust policies, and — through the unmodified
// AWS SDK — one EXTERNAL KMS key per estate key with its alias, key policy
// (consumer account and verify roles), tags, multi-Region replicas and
// initial imported material, backdated on the sandbox clock so the demo has
// overdue and expiring keys. The seed plays the customer's past HSM: the
// material is 32 random bytes wrapped in memory and never printed or kept.
//
// It is idempotent per key (a key whose alias exists is left alone), so a
// seed interrupted by a crash completes on the next run. It must not seed
// RDS, DynamoDB or S3 resources itself: Options.Resources is the hook for
// the resources' own seeding code.
package seed
