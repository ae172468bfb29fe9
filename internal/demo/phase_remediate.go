package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
)

// remediate plays the resource owner for the findings no key rotation can
// fix: a bucket whose default encryption is the AWS-managed aws/s3 key.
// Its platform team, in its own account, points the bucket default at the
// estate key's alias ARN, as the scan's finding said. byok never changes a
// resource's encryption settings; this phase is not byok.
func (s *story) remediate(ctx context.Context) error {
	n := 0
	for _, f := range s.rep.Before.NonCompliant {
		if f.Reason != string(compliance.ReasonAWSManagedKey) || f.Type != compliance.S3Bucket.ShortName() {
			continue
		}
		rem, err := s.fixBucket(ctx, f)
		s.rep.Remediations = append(s.rep.Remediations, rem)
		if err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return errors.New("the first scan found no bucket on an AWS-managed key; the seed's legacy bucket is missing")
	}
	return nil
}

// fixBucket sets the bucket's default encryption to the estate S3 key of
// its account's environment, as that account.
func (s *story) fixBucket(ctx context.Context, f Finding) (Remediation, error) {
	env, ok := s.envOf(f.Account)
	rem := Remediation{Owner: env + " platform team (resource owner)", Account: f.Account, Resource: "s3-bucket " + f.Name, Finding: f.Reason}
	if !ok {
		return rem, fmt.Errorf("bucket %s is in account %s, which is no estate environment", f.Name, f.Account)
	}
	k, err := s.envKey(env, estate.ServiceS3, f.Region)
	if err != nil {
		return rem, err
	}
	rem.Action = "PutBucketEncryption: SSE-KMS with " + k.AliasARN() + ", bucket key enabled"
	s.out.warn("resource owner's fix, not byok's: the %s platform team sets %s's default encryption to the estate key %s", env, f.Name, k.AliasARN())
	s.out.line("    %s", s.out.paint(sgrDim, "byok found and explained this finding; it never changes a resource's encryption settings"))
	cfg := s.w.sb.Config(ctx, f.Account) // the bucket account's own administrator
	cfg.Region = f.Region
	_, err = awsx.S3(cfg).PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(f.Name),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms,
				KMSMasterKeyID: aws.String(k.AliasARN())},
			BucketKeyEnabled: aws.Bool(true)}}}})
	if err != nil {
		return rem, fmt.Errorf("put bucket encryption on %s as %s: %w", f.Name, s.accountName(f.Account), err)
	}
	rem.OK = true
	s.out.ok("%s: default encryption now %s (new objects); existing objects keep their key until re-written", f.Name, k.AliasARN())
	return rem, nil
}

func (s *story) envOf(account string) (string, bool) {
	for _, e := range s.w.est.Environments {
		if e.Account == account {
			return e.Name, true
		}
	}
	return "", false
}

func (s *story) envKey(env string, svc estate.Service, region string) (estate.Key, error) {
	for _, k := range s.w.est.Keys() {
		if k.Env == env && k.Service == svc && k.Region == region {
			return k, nil
		}
	}
	return estate.Key{}, fmt.Errorf("the estate has no %s key for %s in %s", svc, env, region)
}
