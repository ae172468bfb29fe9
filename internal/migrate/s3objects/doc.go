// Package s3objects re-encrypts every current object of one S3 bucket in
// place onto a target KMS key, the object half of an S3 bucket migration.
//
// It streams ListObjectsV2 (one page in memory, never the whole listing),
// and copies each object onto itself (CopyObject with SSE-KMS, the target
// key ARN and an S3 Bucket Key; metadata and tags by S3's COPY directives,
// storage class and checksum algorithm passed again because S3 resets
// them on a copy). Objects above the multipart threshold (5 GB, S3's
// CopyObject limit) are copied with UploadPartCopy. Every copy names the
// source ETag (x-amz-copy-source-if-match), so a copy never replaces a
// newer write with an older body.
//
// What it will not do: copy an object that is already on the target key
// (a second pass is a no-op), or one under Object Lock retention or a legal
// hold (listed instead); delete anything; touch noncurrent versions (they
// are counted by key, since they keep the old key in use until a lifecycle
// rule expires them).
//
// Resumability: Options.Checkpoint receives a low-water mark, the last
// listed key such that it and every key before it is done, whatever order
// the parallel copies finish in; a resumed run lists from there. Copies
// after the mark may be repeated, which is harmless because an object
// already on the target is skipped.
package s3objects
