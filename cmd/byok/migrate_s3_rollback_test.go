package main

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3controltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/rotation"
)

// s3Migrated migrates each bucket of an s3Fixture in a run of its own and
// returns the runs by bucket.
func s3Migrated(t *testing.T, fx *fixture, buckets []string) map[string]string {
	t.Helper()
	runs := map[string]string{}
	for _, b := range buckets {
		out := cliRunOK(t, migrationArgs(fx, "migrate", "apply", "--resource", "arn:aws:s3:::"+b, "--yes")...)
		runs[b] = runIDFrom(t, out)
	}
	return runs
}

// checkRolledBack: the default encryption is the one the bucket had
// (SSE-KMS on old, no bucket key), every one of the n objects decrypts
// with its body and metadata and reports old, and each has exactly three
// versions (the original on old, the migration's copy on target, the
// rollback's copy on old): nothing copied twice, nothing on a wrong key.
func checkRolledBack(t *testing.T, fx *fixture, bucket, old, target string, n int) {
	t.Helper()
	c := fx.s3(fxProd)
	enc, err := c.GetBucketEncryption(fx.ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	fx.check("get bucket encryption", err)
	r := enc.ServerSideEncryptionConfiguration.Rules[0]
	if d := r.ApplyServerSideEncryptionByDefault; d.SSEAlgorithm != s3types.ServerSideEncryptionAwsKms ||
		aws.ToString(d.KMSMasterKeyID) != old || aws.ToBool(r.BucketKeyEnabled) {
		t.Errorf("%s default after rollback: %s %s bucket key %v; want aws:kms %s without a bucket key", bucket, d.SSEAlgorithm,
			aws.ToString(d.KMSMasterKeyID), aws.ToBool(r.BucketKeyEnabled), old)
	}
	for i := range n {
		key := fmt.Sprintf("o/%03d", i)
		out, err := c.GetObject(fx.ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		fx.check("get "+key, err)
		body, _ := io.ReadAll(out.Body)
		if aws.ToString(out.SSEKMSKeyId) != old || string(body) != fmt.Sprintf("body %d", i) || out.Metadata["n"] != fmt.Sprint(i) {
			t.Errorf("%s/%s after rollback: key %s body %q meta %v", bucket, key, aws.ToString(out.SSEKMSKeyId), body, out.Metadata)
		}
	}
	vs, err := c.ListObjectVersions(fx.ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	fx.check("list versions", err)
	per := map[string][]string{}
	for _, v := range vs.Versions {
		h, err := c.HeadObject(fx.ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: v.Key, VersionId: v.VersionId})
		fx.check("head version", err)
		per[aws.ToString(v.Key)] = append(per[aws.ToString(v.Key)], aws.ToString(h.SSEKMSKeyId))
	}
	for i := range n {
		key := fmt.Sprintf("o/%03d", i)
		var on []string
		for _, k := range per[key] {
			switch k {
			case old:
				on = append(on, "old")
			case target:
				on = append(on, "target")
			default:
				on = append(on, k)
			}
		}
		if len(on) != 3 || strings.Count(strings.Join(on, ","), "old") != 2 || !strings.Contains(strings.Join(on, ","), "target") {
			t.Errorf("%s/%s versions on %v; want the original and the rollback's copy on old, the migration's on target", bucket, key, on)
		}
	}
}

// runAuditCount counts the audit entries of run.
func runAuditCount(t *testing.T, run string) int {
	t.Helper()
	audit := cliRunOK(t, "audit", "show", "--format", "json")
	return strings.Count(audit, `"run_id": "`+run+`"`) + strings.Count(audit, `"run_id":"`+run+`"`)
}

// TestMigrateS3Rollback: migrate a bucket, write one object after the
// migration (it takes the new default, the target key) and one on a
// third key, then roll back: the plan says what will happen, the default
// encryption is the recorded one again, every object the migration moved
// and the new one decrypt on the old key, the third-key object is left
// alone, the migration run is rolled-back with one audit entry for the
// rollback, and a second rollback changes nothing.
func TestMigrateS3Rollback(t *testing.T) {
	const n = 12
	fx, old, target := s3Fixture(t, []string{"prod-s3-rb"}, n)
	run := s3Migrated(t, fx, []string{"prod-s3-rb"})["prod-s3-rb"]
	checkBucket(t, fx, "prod-s3-rb", old, target, n)
	c := fx.s3(fxProd)
	_, err := c.PutObject(fx.ctx, &s3.PutObjectInput{Bucket: aws.String("prod-s3-rb"), Key: aws.String(fmt.Sprintf("o/%03d", n)),
		Body: strings.NewReader(fmt.Sprintf("body %d", n)), Metadata: map[string]string{"n": fmt.Sprint(n)}})
	fx.check("put after migration", err)
	third := fx.keys["alias/prod/rds"]
	_, err = c.PutObject(fx.ctx, &s3.PutObjectInput{Bucket: aws.String("prod-s3-rb"), Key: aws.String("x/third"),
		Body: strings.NewReader("third"), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(third)})
	fx.check("put on a third key", err)

	dry := cliRunOK(t, migrationArgs(fx, "migrate", "rollback", run, "--dry-run")...)
	for _, want := range []string{"dry run", "restore default encryption aws:kms " + old + " (bucket key false)",
		"14 current object(s)", "13 on " + target, "noncurrent"} {
		if !strings.Contains(dry, want) {
			t.Errorf("rollback dry run lacks %q:\n%s", want, dry)
		}
	}
	out := cliRunOK(t, migrationArgs(fx, "migrate", "rollback", run, "--yes", "--checkpoint-every", "3", "--verify-sample", "-1")...)
	rb := runIDFrom(t, out)
	checkRolledBack(t, fx, "prod-s3-rb", old, target, n)
	h, err := c.HeadObject(fx.ctx, &s3.HeadObjectInput{Bucket: aws.String("prod-s3-rb"), Key: aws.String("x/third")})
	fx.check("head third", err)
	if aws.ToString(h.SSEKMSKeyId) != third {
		t.Errorf("the object on a third key moved to %s", aws.ToString(h.SSEKMSKeyId))
	}
	if st := cliRunOK(t, "migrate", "status", run, "--format", "json"); !strings.Contains(st, `"rolled-back"`) {
		t.Errorf("migration run after rollback: %s", st)
	}
	if k := runAuditCount(t, rb); k != 1 {
		t.Errorf("%d audit entries for the rollback run %s, want 1", k, rb)
	}
	audit := strings.Join(strings.Fields(cliRunOK(t, "audit", "show", "--format", "json")), "")
	for _, want := range []string{`"copied_back":13`, `"left_on_other_keys":1`, `"objects_read_on_old_key":13`} {
		if !strings.Contains(audit, want) {
			t.Errorf("the rollback's audit entry lacks %s:\n%s", want, audit)
		}
	}
	again := cliRunOK(t, migrationArgs(fx, "migrate", "rollback", run, "--yes")...)
	if !strings.Contains(again, "already rolled back") {
		t.Errorf("second rollback: %s", again)
	}
	cliRunOK(t, "audit", "verify")
}

// TestMigrateS3RollbackKillResume SIGKILLs `byok migrate rollback` of a
// bucket migration at every step boundary of the rollback, after the
// default encryption is restored, and right after a mid-copy checkpoint
// (copies in flight), then resumes the rollback run in a new process:
// each bucket ends rolled back exactly once (three versions per object,
// none on a wrong key), the migration run is rolled-back and the
// rollback run has exactly one audit entry.
func TestMigrateS3RollbackKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("process kill test: skipped with -short")
	}
	fps := []string{"request:after", "admit:after", "migrate-rollback/rollback:default-restored", "rollback:checkpoint"}
	for _, st := range rotation.Steps(rotation.MigrateRollback, false) {
		for _, when := range []string{"before", "unrecorded", "after"} {
			fps = append(fps, "migrate-rollback/"+st.String()+":"+when)
		}
	}
	var buckets []string
	for i := range fps {
		buckets = append(buckets, fmt.Sprintf("prod-rbkill-%02d", i))
	}
	const n = 16
	fx, old, target := s3Fixture(t, buckets, n)
	runs := s3Migrated(t, fx, buckets)
	bin := rotBinary(t)
	for i, fp := range fps {
		t.Run(fp, func(t *testing.T) {
			b := buckets[i]
			args := migrationArgs(fx, "migrate", "rollback", runs[b], "--yes", "--checkpoint-every", "3", "--objects-in-flight", "2")
			killed, out := runBinary(t, bin, []string{rotation.FailpointEnv + "=" + fp}, args...)
			if !killed {
				t.Fatalf("failpoint %s did not kill byok migrate rollback:\n%s", fp, out)
			}
			rb := lastRunAt(t, fx).String()
			if rb == runs[b] {
				t.Fatalf("no rollback run after the kill at %s", fp)
			}
			if fp == "rollback:checkpoint" {
				if on := onTarget(t, fx, b, old, n); on == 0 || on == n {
					t.Fatalf("killed mid-copy with %d of %d objects back on the old key: not mid-copy", on, n)
				}
			}
			if killed, out := runBinary(t, bin, nil, migrationArgs(fx, "migrate", "resume", rb)...); killed || !strings.Contains(out, "succeeded") {
				t.Fatalf("resume after %s:\n%s", fp, out)
			}
			checkRolledBack(t, fx, b, old, target, n)
			if st := cliRunOK(t, "migrate", "status", runs[b], "--format", "json"); !strings.Contains(st, `"rolled-back"`) {
				t.Errorf("migration run after the resumed rollback: %s", st)
			}
			if k := runAuditCount(t, rb); k != 1 {
				t.Errorf("%d audit entries for the rollback run %s, want 1", k, rb)
			}
			cliRunOK(t, "audit", "verify")
		})
	}
}

// TestMigrateS3RollbackBatchPath: above --batch-threshold the rollback
// copies back with an S3 Batch Operations job whose manifest holds only
// the objects on the migration's key. Killed right after the manifest is
// journaled, the resumed rollback reuses it and submits exactly one job;
// the object on a third key is not in it and stays where it is.
func TestMigrateS3RollbackBatchPath(t *testing.T) {
	const n = 15
	fx, old, target := s3Fixture(t, []string{"prod-rb-batch"}, n)
	batchBucket := "byok-batch-" + fxProd + "-" + fxRegion
	c := fx.s3(fxProd)
	_, err := c.CreateBucket(fx.ctx, &s3.CreateBucketInput{Bucket: aws.String(batchBucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(fxRegion)}})
	fx.check("create batch bucket", err)
	run := s3Migrated(t, fx, []string{"prod-rb-batch"})["prod-rb-batch"]
	third := fx.keys["alias/prod/rds"]
	_, err = c.PutObject(fx.ctx, &s3.PutObjectInput{Bucket: aws.String("prod-rb-batch"), Key: aws.String("x/third"),
		Body: strings.NewReader("third"), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(third)})
	fx.check("put on a third key", err)
	dry := cliRunOK(t, migrationArgs(fx, "migrate", "rollback", run, "--dry-run", "--batch-threshold", "10")...)
	if !strings.Contains(dry, "15 on "+target+" of 16 current object(s)") || !strings.Contains(dry, "by an S3 Batch Operations job") {
		t.Errorf("rollback plan above the threshold:\n%s", dry)
	}
	bin := rotBinary(t)
	args := migrationArgs(fx, "migrate", "rollback", run, "--yes", "--batch-threshold", "10")
	killed, out := runBinary(t, bin, []string{rotation.FailpointEnv + "=rollback:batch-saved"}, args...)
	if !killed {
		t.Fatalf("failpoint did not kill byok migrate rollback:\n%s", out)
	}
	rb := lastRunAt(t, fx).String()
	if killed, out := runBinary(t, bin, nil, migrationArgs(fx, "migrate", "resume", rb)...); killed || !strings.Contains(out, "succeeded") {
		t.Fatalf("resume:\n%s", out)
	}
	checkRolledBack(t, fx, "prod-rb-batch", old, target, n)
	h, err := c.HeadObject(fx.ctx, &s3.HeadObjectInput{Bucket: aws.String("prod-rb-batch"), Key: aws.String("x/third")})
	fx.check("head third", err)
	vs, err := c.ListObjectVersions(fx.ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("prod-rb-batch"), Prefix: aws.String("x/")})
	fx.check("list third's versions", err)
	if aws.ToString(h.SSEKMSKeyId) != third || len(vs.Versions) != 1 {
		t.Errorf("the object on a third key: on %s with %d versions; want untouched on %s", aws.ToString(h.SSEKMSKeyId), len(vs.Versions), third)
	}
	jobs, err := awsx.S3Control(fx.cfg(fxProd)).ListJobs(fx.ctx, &s3control.ListJobsInput{AccountId: aws.String(fxProd)})
	fx.check("list jobs", err)
	if len(jobs.Jobs) != 1 || jobs.Jobs[0].Status != s3controltypes.JobStatusComplete {
		t.Fatalf("jobs %+v, want exactly one, complete", jobs.Jobs)
	}
	audit := strings.Join(strings.Fields(cliRunOK(t, "audit", "show", "--format", "json")), "")
	if !strings.Contains(audit, aws.ToString(jobs.Jobs[0].JobId)) || !strings.Contains(audit, `"copied_back":15`) {
		t.Errorf("the rollback's audit entry does not name the batch job or 15 objects copied back:\n%s", audit)
	}
	if k := runAuditCount(t, rb); k != 1 {
		t.Errorf("%d audit entries for the rollback run %s, want 1", k, rb)
	}
}
