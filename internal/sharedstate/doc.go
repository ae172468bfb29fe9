// Package sharedstate keeps the part of byok's state that several operators
// on several machines, each with their own local state file, must share: the
// per-key locks, a per-run journal object and the shared audit chain, under
// one S3 location s3://bucket/prefix in the Security account.
//
// The local SQLite file stays the working journal (every step is written
// there first, synchronously); the S3 location is the source of truth for
// who holds a key and for the audit chain's head. Locks are taken exactly as
// Terraform's S3 backend takes its lock: PutObject with If-None-Match: * on
// the lock object creates it only if no one holds it (412 otherwise); the
// holder updates (heartbeat) and releases it with If-Match on the ETag it
// last wrote, so a holder that lost its lock (forced release, take-over)
// finds out instead of overwriting the new holder. 409
// ConditionalRequestConflict (two writers raced) is retried after re-reading.
//
// The bucket may be in any Region: BucketRegion asks S3 with HeadBucket,
// which names the bucket's Region in x-amz-bucket-region from any Region.
// Each run's journal object (runs/RUN.json) carries the last step boundary
// of each key and a status, so operators whose state file does not hold a
// run can list and show it.
//
// The package calls only S3 (through the narrow S3 interface), never KMS,
// never prints, and stores no secret: lock objects and journal objects hold
// ARNs, host names, PIDs, run IDs, step names and times.
package sharedstate
