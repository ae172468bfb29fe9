// Package s3controlsvc is the sandbox's Amazon S3 Control, limited to S3
// Batch Operations jobs: CreateJob, DescribeJob, ListJobs and
// UpdateJobStatus (REST-XML under /v20180820/jobs, the account in the
// x-amz-account-id header). S3 Control signs as "s3", so Front routes a
// request with that header and path prefix here and every other one to S3.
//
// A job runs asynchronously in the sandbox, as in AWS: New → Preparing
// (the CSV manifest is read, and its ETag checked) → Suspended while
// ConfirmationRequired awaits UpdateJobStatus(Ready) → Ready → Active →
// Complete, or Failed (manifest unreadable, or more than half of the
// first 1,000 tasks failed) or Cancelling → Cancelled. Its tasks run
// inside S3 (s3svc's BatchCopy) as the job's role; a completion report
// (Report_CSV_20180820: manifest.json and results/*.csv under
// {prefix}/job-{id}/) is written to the report bucket.
//
// Only the S3PutObjectCopy operation is served (others are refused with
// NotImplemented); manifests in S3BatchOperations_CSV_20180820 only (no
// inventory reports or manifest generators); the role's permissions are
// not evaluated beyond the key policies S3's own KMS calls meet; the job,
// its manifest and report bucket are in one account.
package s3controlsvc
