package report

import (
	"errors"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
)

var scanTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("CET", 3600))

// testReport has one result per verdict, awkward text (commas, quotes, a
// line break, an escape) and a scan error.
func testReport() Report {
	return Report{
		Meta: Meta{
			ScanTime: scanTime, Estate: "byok.yaml", SecurityAccount: "111111111111",
			Accounts: []string{"222222222222", "333333333333"}, Regions: []string{"eu-west-1"},
			Errors:  []ScanError{{Account: "222222222222", Region: "eu-west-1", Service: "rds", Message: "AccessDenied: not authorized"}},
			Version: "1.2.3",
		},
		Results: []compliance.Result{
			{
				Resource: compliance.Resource{Type: compliance.S3Bucket, ID: "logs", Name: "logs", ARN: "arn:aws:s3:::logs",
					Account: "333333333333", Region: "eu-west-1", Encryption: compliance.EncryptionKMS, KeyRef: "alias/prod/s3"},
				Verdict: compliance.NonCompliant, Reason: compliance.ReasonAliasInOwnAccount,
				Detail: `bare alias alias/prod/s3 resolves in "333333333333", not the Security account`,
			},
			{
				Resource: compliance.Resource{Type: compliance.RDSInstance, ID: "db-ABC", Name: "orders",
					ARN: "arn:aws:rds:eu-west-1:333333333333:db:orders", Account: "333333333333", Region: "eu-west-1",
					Encryption: compliance.EncryptionKMS, KeyRef: "arn:aws:kms:eu-west-1:111111111111:key/k1"},
				Verdict: compliance.Compliant, Reason: compliance.ReasonCompliant, KeyARN: "arn:aws:kms:eu-west-1:111111111111:key/k1",
				Detail: "current key material of alias/prod/rds is 10 days old, max 365 days",
			},
			{
				Resource: compliance.Resource{Type: compliance.DynamoDBTable, ID: "t,1", Name: "t,1\nx\x1b[31m",
					ARN: "arn:aws:dynamodb:eu-west-1:222222222222:table/t", Account: "222222222222", Region: "eu-west-1",
					Encryption: compliance.EncryptionKMS, KeyRef: "arn:aws:kms:eu-west-1:111111111111:key/k2"},
				Verdict: compliance.InsufficientData, Reason: compliance.ReasonKeyUnreadable, KeyARN: "arn:aws:kms:eu-west-1:111111111111:key/k2",
				Detail: "facts of key k2 could not be read: ThrottlingException",
			},
			{
				Resource: compliance.Resource{Type: compliance.RDSCluster, ID: "cluster-XYZ", Name: "aurora",
					ARN: "arn:aws:rds:eu-west-1:222222222222:cluster:aurora", Account: "222222222222", Region: "eu-west-1", Deleted: true},
				Verdict: compliance.NotApplicable, Reason: compliance.ReasonResourceDeleted, Detail: "rds-cluster aurora no longer exists",
			},
		},
		Keys: map[string]compliance.KeyFacts{
			"arn:aws:kms:eu-west-1:111111111111:key/k1": {ARN: "arn:aws:kms:eu-west-1:111111111111:key/k1",
				Aliases: []string{"alias/prod/rds", "alias/aaa-legacy"}, CurrentID: "m1", CurrentSince: scanTime.Add(-10*24*time.Hour - time.Hour),
				Materials: []compliance.Material{{ID: "m0", ValidTo: &k1ValidTo}, {ID: "m1"}}},
			"arn:aws:kms:eu-west-1:111111111111:key/k2": {ARN: "arn:aws:kms:eu-west-1:111111111111:key/k2", Err: errors.New("ThrottlingException")},
		},
	}
}

var k1ValidTo = time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
