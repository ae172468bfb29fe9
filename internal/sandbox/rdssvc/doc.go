// Package rdssvc is the sandbox's Amazon RDS (Query protocol, API version
// 2014-10-31): DB instances, Aurora clusters with their members, and DB
// snapshots, with the encryption facts byok reads (StorageEncrypted, the
// resolved KmsKeyId ARN, DbiResourceId / DbClusterResourceId). KMS keys are
// resolved through the sibling KMS service (svc.KeyResolver) the way RDS
// resolves them at creation; it stores the key ARN, never key material.
// It does not run databases: instances are records whose status settles to
// "available" at once. It also lists its resources for the Config service.
package rdssvc
