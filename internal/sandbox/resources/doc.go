// Package resources seeds RDS, DynamoDB and S3 resources into an
// AWS-compatible endpoint through the real AWS SDK, as a user would create
// them, each naming the KMS key reference it should use. It talks only to
// the endpoint in the aws.Config it is given (the sandbox in tests and the
// demo); it never creates keys and never bypasses the API. Bulk creation
// for benchmarks is the services' admin call (/_byok/<service>/bulk), and a
// bucket with no default encryption (possible only before 2023) can only
// be made with the S3 service's seed call, not through the API.
package resources
