package s3batch

// RoleActions are the IAM actions the job's role (byok-batch-operations,
// deploy/member-account.yaml) needs for the job Submit creates, and no
// more. S3 Batch Operations runs each S3PutObjectCopy task as CopyObject
// under that role:
//   - the manifest is read with GetObject (s3:GetObject; no version ID is
//     named, so no s3:GetObjectVersion);
//   - each task reads its source (s3:GetObject) and writes the copy onto
//     the same key (s3:PutObject); the tagging directive is COPY, so the
//     tags are read and written (s3:GetObjectTagging, s3:PutObjectTagging);
//     no ACL is named and CopyObject does not copy ACLs, so no
//     s3:GetObjectAcl/PutObjectAcl;
//   - S3 decrypts the source under its old key and a manifest the batch
//     bucket encrypted (kms:Decrypt) and generates the bucket key's data
//     key under the target key (kms:GenerateDataKey), both on the role's
//     behalf;
//   - the completion report is written with PutObject (s3:PutObject).
//
// A test in this package records the KMS calls the sandbox's Batch
// Operations makes as the role; deploy's test checks the role grants
// exactly these.
var RoleActions = []string{
	"s3:GetObject", "s3:GetObjectTagging", "s3:PutObject", "s3:PutObjectTagging",
	"kms:Decrypt", "kms:GenerateDataKey",
}
