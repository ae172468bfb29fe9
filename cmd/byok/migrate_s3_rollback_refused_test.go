package main

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestMigrateS3RollbackRefused: a rollback is refused before any run is
// created, saying why and what to do, when the old key is disabled
// (retired: byok retire --undo) and when the migration run was journaled
// without the bucket's previous default encryption (a run from before
// byok recorded it) and when the key policy no longer lets the bucket's
// account use the old key; nothing in the bucket changes. Re-enabled and
// the policy restored, the rollback of the first run proceeds.
func TestMigrateS3RollbackRefused(t *testing.T) {
	const n = 4
	fx, old, target := s3Fixture(t, []string{"prod-rb-retired", "prod-rb-legacy"}, n)
	runs := s3Migrated(t, fx, []string{"prod-rb-retired", "prod-rb-legacy"})
	sec := fx.kms(fxSec)
	_, err := sec.DisableKey(fx.ctx, &kms.DisableKeyInput{KeyId: aws.String(old)})
	fx.check("disable old key", err)
	before := lastRunAt(t, fx)
	code, out, errOut := cliRun(t, migrationArgs(fx, "migrate", "rollback", runs["prod-rb-retired"], "--yes")...)
	if code != exitFailed || !strings.Contains(errOut, "retired") || !strings.Contains(errOut, "byok retire") || !strings.Contains(errOut, "--key "+old+" --undo") {
		t.Fatalf("rollback onto a disabled key: exit %d\n%s\n%s", code, out, errOut)
	}
	if lastRunAt(t, fx) != before {
		t.Fatal("a refused rollback created a run")
	}
	checkBucket(t, fx, "prod-rb-retired", old, target, n)
	_, err = sec.EnableKey(fx.ctx, &kms.EnableKeyInput{KeyId: aws.String(old)})
	fx.check("enable old key", err)

	db, err := sql.Open("sqlite", stateEnv(t))
	fx.check("open state", err)
	_, err = db.Exec(`UPDATE journal SET detail = json_remove(detail, '$.previous_encryption') WHERE run_id = ? AND step = 'plan'`,
		runs["prod-rb-legacy"])
	fx.check("forget the record", err)
	fx.check("close state", db.Close())
	code, out, errOut = cliRun(t, migrationArgs(fx, "migrate", "rollback", runs["prod-rb-legacy"], "--dry-run")...)
	if code != exitFailed || !strings.Contains(errOut, "did not record the bucket's previous default encryption") ||
		!strings.Contains(errOut, "put-bucket-encryption") {
		t.Fatalf("rollback of a run without the record: exit %d\n%s\n%s", code, out, errOut)
	}
	checkBucket(t, fx, "prod-rb-legacy", old, target, n)

	pol, err := sec.GetKeyPolicy(fx.ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(old), PolicyName: aws.String("default")})
	fx.check("get key policy", err)
	_, err = sec.PutKeyPolicy(fx.ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(old), PolicyName: aws.String("default"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + fxSec +
			`:root"},"Action":"kms:*","Resource":"*"}]}`)})
	fx.check("policy without prod", err)
	code, out, errOut = cliRun(t, migrationArgs(fx, "migrate", "rollback", runs["prod-rb-retired"], "--yes")...)
	if code != exitFailed || !strings.Contains(errOut, "migration role cannot use") || !strings.Contains(errOut, fxProd) {
		t.Fatalf("rollback onto a key prod cannot use: exit %d\n%s\n%s", code, out, errOut)
	}
	_, err = sec.PutKeyPolicy(fx.ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(old), PolicyName: aws.String("default"), Policy: pol.Policy})
	fx.check("policy back", err)

	cliRunOK(t, migrationArgs(fx, "migrate", "rollback", runs["prod-rb-retired"], "--yes")...)
	enc, err := fx.s3(fxProd).GetBucketEncryption(fx.ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("prod-rb-retired")})
	fx.check("get bucket encryption", err)
	if k := aws.ToString(enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID); k != old {
		t.Errorf("default on %s after the rollback, want %s", k, old)
	}
}

// TestMigrateS3RollbackLocked: an object put under a legal hold after the
// migration stays on the migration's key: the plan lists it as skipped,
// the rollback leaves it (and says so in the audit), the others go back.
func TestMigrateS3RollbackLocked(t *testing.T) {
	fx, old, target := s3Fixture(t, nil, 0)
	c := fx.s3(fxProd)
	_, err := c.CreateBucket(fx.ctx, &s3.CreateBucketInput{Bucket: aws.String("prod-rb-lock"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(fxRegion)}})
	fx.check("create lock bucket", err)
	_, err = c.PutBucketVersioning(fx.ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("prod-rb-lock"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	fx.check("versioning", err)
	_, err = c.PutObjectLockConfiguration(fx.ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("prod-rb-lock"),
		ObjectLockConfiguration: &s3types.ObjectLockConfiguration{ObjectLockEnabled: s3types.ObjectLockEnabledEnabled}})
	fx.check("object lock", err)
	fx.setBucketKey(fxProd, "prod-rb-lock", s3types.ServerSideEncryptionAwsKms, old)
	for _, k := range []string{"a", "held", "z"} {
		_, err := c.PutObject(fx.ctx, &s3.PutObjectInput{Bucket: aws.String("prod-rb-lock"), Key: aws.String(k), Body: strings.NewReader(k)})
		fx.check("put "+k, err)
	}
	run := s3Migrated(t, fx, []string{"prod-rb-lock"})["prod-rb-lock"]
	_, err = c.PutObjectLegalHold(fx.ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("prod-rb-lock"), Key: aws.String("held"),
		LegalHold: &s3types.ObjectLockLegalHold{Status: s3types.ObjectLockLegalHoldStatusOn}})
	fx.check("legal hold", err)
	dry := cliRunOK(t, migrationArgs(fx, "migrate", "rollback", run, "--dry-run")...)
	if !strings.Contains(dry, "skipped and left on "+target+": 1: [held]") || !strings.Contains(dry, "2 on "+target+" of 3 current object(s)") {
		t.Fatalf("plan of a bucket with a held object:\n%s", dry)
	}
	cliRunOK(t, migrationArgs(fx, "migrate", "rollback", run, "--yes")...)
	for k, want := range map[string]string{"a": old, "held": target, "z": old} {
		h, err := c.HeadObject(fx.ctx, &s3.HeadObjectInput{Bucket: aws.String("prod-rb-lock"), Key: aws.String(k)})
		fx.check("head "+k, err)
		if got := aws.ToString(h.SSEKMSKeyId); got != want {
			t.Errorf("%s on %s after rollback, want %s", k, got, want)
		}
	}
	audit := strings.Join(strings.Fields(cliRunOK(t, "audit", "show", "--format", "json")), "")
	if !strings.Contains(audit, `"locked_keys":["held"]`) || !strings.Contains(audit, `"locked_on_migration_key":["held"]`) {
		t.Errorf("the rollback's audit entry does not list the held object:\n%s", audit)
	}
}
