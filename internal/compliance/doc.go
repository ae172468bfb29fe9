// Package compliance is the pure evaluator shared by `byok scan` and the AWS
// Config rule: (resource, key facts, estate, now) → verdict and reason.
// It performs no I/O, reads no clock and never calls AWS; callers gather the
// facts (package keyfacts) and the resources (scan inventory or Config
// configuration items) and pass them in. It must not read tags: a
// LastRotationDate tag anyone with kms:TagResource can write is not evidence
// of rotation, which is why KeyFacts has no tags field.
//
// # Verdict rules
//
// Evaluate applies these rules in order; the first that matches decides.
//
//  1. Resource.Deleted → NOT_APPLICABLE / RESOURCE_DELETED.
//  2. A resource type other than the four below → NOT_APPLICABLE /
//     UNSUPPORTED_RESOURCE_TYPE.
//  3. The resource account is neither an estate environment nor the
//     Security account → NOT_APPLICABLE / ACCOUNT_OUTSIDE_ESTATE.
//     The service of the resource type is not in the estate's services →
//     NOT_APPLICABLE / SERVICE_OUTSIDE_ESTATE.
//  4. Encryption: EncryptionNone → NON_COMPLIANT / UNENCRYPTED; SSE-S3
//     (AES256) or the AWS-owned DynamoDB key → NON_COMPLIANT /
//     NOT_KMS_ENCRYPTED; EncryptionUnknown (the inventory could not read
//     it) → INSUFFICIENT_DATA / ENCRYPTION_UNREADABLE.
//  5. KMS with no key reference (S3 "aws:kms" without KMSMasterKeyID uses
//     aws/s3), an alias under alias/aws/, or key facts with Manager "AWS"
//     → NON_COMPLIANT / AWS_MANAGED_KEY. A reference that does not parse
//     → INSUFFICIENT_DATA / KEY_UNREADABLE.
//  6. An alias (bare name or alias ARN) that resolves outside the Security
//     account: if its name is an estate alias → NON_COMPLIANT /
//     ALIAS_RESOLVES_IN_RESOURCE_ACCOUNT (S3, RDS and DynamoDB resolve a
//     bare alias in the resource's own account, so the estate key is not
//     used even when the consumer account has an alias of that name);
//     otherwise → NON_COMPLIANT / KEY_OUTSIDE_ESTATE.
//  7. A key in an account other than the Security account →
//     NON_COMPLIANT / KEY_OUTSIDE_ESTATE (AWS_MANAGED_KEY when its facts
//     say so). Estate keys live only in the Security account, so this is
//     decided from the ARN and never depends on reading the key. A bare key
//     ID resolves in the resource's account too; the detail says so when
//     the Security account has a key with that ID.
//  8. Security-account key with no facts, facts with Err set, or an
//     estate alias that does not exist in the index → INSUFFICIENT_DATA /
//     KEY_UNREADABLE. A read error is never NON_COMPLIANT.
//  9. The key is not the estate key for (environment of the resource
//     account, service of the resource type, region): FormerAliases holds
//     that estate alias → NON_COMPLIANT / KEY_SUPERSEDED; it is the estate
//     key of another (environment, service) → WRONG_ESTATE_KEY; otherwise
//     KEY_OUTSIDE_ESTATE. Resources in the Security account itself may use
//     the estate key of any environment for their service. In a replica
//     region the estate key is the alias target there if the alias exists,
//     else the replica (same mrk- ID) of the primary's alias target when
//     the estate lists that region as a replica of the (env, service) key.
//  10. Key state: Enabled and Updating are usable; Disabled →
//     KEY_DISABLED; Unavailable (custom key store disconnected, the key
//     cannot be used) → KEY_DISABLED; PendingDeletion and
//     PendingReplicaDeletion (a primary waiting for its replicas to go)
//     → KEY_PENDING_DELETION; PendingImport → KEY_PENDING_IMPORT; all
//     NON_COMPLIANT. Creating, or a state byok does not know →
//     INSUFFICIENT_DATA / KEY_UNREADABLE.
//  11. CurrentSince unknown (zero) → INSUFFICIENT_DATA / KEY_UNREADABLE.
//     now − CurrentSince > Policy.MaxMaterialAge → NON_COMPLIANT /
//     MATERIAL_OVERDUE (exactly the max age is still compliant).
//  12. Any material (current, non-current or pending) whose ValidTo is at or
//     before now + Policy.ExpiryWarning, or already past → NON_COMPLIANT /
//     MATERIAL_EXPIRING: when any one material expires the whole key stops
//     working.
//  13. Otherwise COMPLIANT / KEY_COMPLIANT.
//
// Then exceptions (exempt.go): a NON_COMPLIANT result whose resource ARN
// and reason match an estate exception that is live at now (through its
// expiry day, UTC) becomes EXEMPTED with the same reason and the exception
// attached; after the expiry day it is NON_COMPLIANT again, with a detail
// naming the expired exception. EXEMPTED is never COMPLIANT.
//
// Every Result carries a Detail sentence of 1–256 characters, fit for a
// Config annotation.
package compliance
