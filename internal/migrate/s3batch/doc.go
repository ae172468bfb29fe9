// Package s3batch re-encrypts a large bucket with S3 Batch Operations, AWS's
// own engine for billions of objects, instead of copying in-process: it
// writes a CSV manifest of the bucket's current objects (streamed from
// ListObjectsV2 into a multipart upload, so memory does not grow with the
// bucket), submits an S3PutObjectCopy job onto the target key with an S3
// Bucket Key and a completion report, tracks DescribeJob to an end, and
// reads the report's failed tasks.
//
// Each stage is resumable through State: a manifest already written is
// reused (so a resubmission sends the same CreateJob body, and the
// idempotent ClientRequestToken returns the same job instead of a second
// one), a job already submitted is only tracked.
//
// What it does not do: decide which objects need copying (the job copies
// every listed object; a copy onto the same key is harmless; the caller's
// Options.Filter may drop rows page by page, e.g. a rollback that must
// copy only the objects on one key), skip locked
// objects (S3 writes a new version beside a locked one), or delete the
// manifest and report (they are evidence).
package s3batch
