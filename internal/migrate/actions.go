package migrate

import (
	"slices"
	"strings"
)

// PreflightActions are the IAM actions the pre-flight calls through the
// migration role (Gather; a test records the calls against the sandbox).
// Resource state is read through the scan's verify role instead.
var PreflightActions = []string{
	"kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", // the target key is usable
	"s3:ListBucket",           // ListObjectsV2: the estimate
	"s3:GetBucketVersioning",  // versioned buckets are counted by version
	"s3:ListBucketVersions",   // ListObjectVersions: current and noncurrent versions
	"cloudtrail:LookupEvents", // earlier DynamoDB key switches
}

// ApplyActions are the IAM actions the migration methods will call
// (issue 11, "migrate apply"): snapshot, copy under the new key, restore,
// rename, verify and stop for RDS and Aurora; UpdateTable for DynamoDB;
// default encryption and in-place copies for S3. Nothing deletes data.
var ApplyActions = []string{
	// RDS instance
	"rds:DescribeDBInstances", "rds:DescribeDBSnapshots", "rds:CreateDBSnapshot", "rds:CopyDBSnapshot",
	"rds:RestoreDBInstanceFromDBSnapshot", "rds:AddTagsToResource", "rds:ModifyDBInstance",
	"rds:StopDBInstance", "rds:StartDBInstance",
	// Aurora cluster
	"rds:DescribeDBClusters", "rds:DescribeDBClusterSnapshots", "rds:CreateDBClusterSnapshot",
	"rds:CopyDBClusterSnapshot", "rds:RestoreDBClusterFromSnapshot", "rds:CreateDBInstance",
	"rds:ModifyDBCluster", "rds:StopDBCluster", "rds:StartDBCluster",
	// DynamoDB
	"dynamodb:DescribeTable", "dynamodb:UpdateTable",
	// S3: default encryption, CopyObject/UploadPartCopy onto itself, locks and versions
	"s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration", "s3:GetBucketVersioning",
	"s3:ListBucketVersions", "s3:GetObject", "s3:PutObject", "s3:GetObjectTagging", "s3:PutObjectTagging",
	"s3:GetObjectRetention", "s3:GetObjectLegalHold", "s3:AbortMultipartUpload",
	"s3:GetObjectVersion", // HeadObject of noncurrent versions: which key they are on
	// S3 above --batch-threshold objects: a Batch Operations job run by the batch role
	"s3:CreateJob", "s3:DescribeJob", "iam:PassRole",
	// KMS on behalf of RDS (grants) and S3 (decrypt the old, encrypt the new)
	"kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey",
}

// Actions is every action the migration role needs, sorted, without
// duplicates.
func Actions() []string {
	all := append(slices.Clone(PreflightActions), ApplyActions...)
	slices.Sort(all)
	return slices.Compact(all)
}

// iamPrefix maps an SDK service ID to its IAM action prefix.
var iamPrefix = map[string]string{"S3": "s3", "S3 Control": "s3", "KMS": "kms", "CloudTrail": "cloudtrail", "RDS": "rds",
	"DynamoDB": "dynamodb", "STS": "sts"}

// s3Actions are the S3 operations whose IAM action has another name.
var s3Actions = map[string]string{
	"ListObjectsV2": "s3:ListBucket", "ListObjects": "s3:ListBucket", "ListObjectVersions": "s3:ListBucketVersions",
	"HeadObject": "s3:GetObject", "CopyObject": "s3:PutObject", "UploadPartCopy": "s3:PutObject",
	"CreateMultipartUpload": "s3:PutObject", "UploadPart": "s3:PutObject", "CompleteMultipartUpload": "s3:PutObject",
	"PutBucketEncryption": "s3:PutEncryptionConfiguration", "GetBucketEncryption": "s3:GetEncryptionConfiguration",
}

// ActionOf is the IAM action an SDK call (service ID, operation) needs.
func ActionOf(serviceID, operation string) string {
	if serviceID == "S3" {
		if a, ok := s3Actions[operation]; ok {
			return a
		}
	}
	p, ok := iamPrefix[serviceID]
	if !ok {
		p = strings.ToLower(serviceID)
	}
	return p + ":" + operation
}
