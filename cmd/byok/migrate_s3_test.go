package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3controltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	"github.com/byok-dev/byok/internal/store"
)

// s3Fixture: versioned buckets in prod, each with perBucket objects on
// the alias/prod/s3 key, then a new-key rotation of that alias (the
// buckets are KEY_SUPERSEDED) and prod's migration role. It returns the
// old and the target key ARNs.
func s3Fixture(t *testing.T, buckets []string, perBucket int) (*fixture, string, string) {
	fx := newFixture(t)
	old := fx.keys["alias/prod/s3"]
	for _, b := range buckets {
		fx.bucket(fxProd, b, s3types.ServerSideEncryptionAwsKms, old)
		_, err := fx.s3(fxProd).PutBucketVersioning(fx.ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
		fx.check("versioning", err)
		for i := range perBucket {
			_, err := fx.s3(fxProd).PutObject(fx.ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(fmt.Sprintf("o/%03d", i)),
				Body: strings.NewReader(fmt.Sprintf("body %d", i)), Metadata: map[string]string{"n": fmt.Sprint(i)}})
			fx.check("put object", err)
		}
	}
	target := fx.newKeyRotation("alias/prod/s3")
	err := fx.sb.AddRole(identity.Role{ARN: "arn:aws:iam::" + fxProd + ":role/byok-migration", Account: fxProd,
		Name: "byok-migration", Trusted: []string{"arn:aws:iam::" + fxSec + ":role/byok-operator"}})
	fx.check("add migration role", err)
	return fx, old, target
}

// checkBucket: the default and every current object on the target (the
// bodies and metadata intact), and every version of every object on the
// old key (the original) or the target key: nothing on a wrong key.
func checkBucket(t *testing.T, fx *fixture, bucket, old, target string, n int) {
	t.Helper()
	c := fx.s3(fxProd)
	enc, err := c.GetBucketEncryption(fx.ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	fx.check("get bucket encryption", err)
	r := enc.ServerSideEncryptionConfiguration.Rules[0]
	if aws.ToString(r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != target || !aws.ToBool(r.BucketKeyEnabled) {
		t.Errorf("%s default: %s bucket key %v", bucket, aws.ToString(r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID), aws.ToBool(r.BucketKeyEnabled))
	}
	for i := range n {
		key := fmt.Sprintf("o/%03d", i)
		out, err := c.GetObject(fx.ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		fx.check("get "+key, err)
		body, _ := io.ReadAll(out.Body)
		if aws.ToString(out.SSEKMSKeyId) != target || string(body) != fmt.Sprintf("body %d", i) || out.Metadata["n"] != fmt.Sprint(i) {
			t.Errorf("%s/%s: key %s body %q meta %v", bucket, key, aws.ToString(out.SSEKMSKeyId), body, out.Metadata)
		}
	}
	vs, err := c.ListObjectVersions(fx.ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	fx.check("list versions", err)
	for _, v := range vs.Versions {
		h, err := c.HeadObject(fx.ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: v.Key, VersionId: v.VersionId})
		fx.check("head version", err)
		if k := aws.ToString(h.SSEKMSKeyId); k != old && k != target {
			t.Errorf("%s/%s version %s on %s: a wrong key", bucket, aws.ToString(v.Key), aws.ToString(v.VersionId), k)
		}
	}
}

// TestMigrateS3Bucket: migrate apply moves a bucket's default and objects
// onto the new key; status shows the run succeeded and the audit verifies.
func TestMigrateS3Bucket(t *testing.T) {
	fx, old, target := s3Fixture(t, []string{"prod-s3-mig"}, 12)
	out := cliRunOK(t, migrationArgs(fx, "migrate", "apply", "--resource", "arn:aws:s3:::prod-s3-mig", "--yes", "--checkpoint-every", "3")...)
	run := runIDFrom(t, out)
	checkBucket(t, fx, "prod-s3-mig", old, target, 12)
	st := cliRunOK(t, "migrate", "status", run, "--format", "json")
	if !strings.Contains(st, `"succeeded"`) {
		t.Errorf("status: %s", st)
	}
	if code, out, errOut := cliRun(t, "audit", "verify"); code != exitOK {
		t.Errorf("audit verify: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestMigrateS3KillResume SIGKILLs byok migrate apply at every step
// boundary of the S3 method and right after a mid-copy checkpoint (copies
// in flight), then resumes: each bucket ends with every object on the
// target key and no version on any other key than the old or the target.
func TestMigrateS3KillResume(t *testing.T) {
	fps := []string{"plan:before", "plan:after", "default-encryption:before", "default-encryption:unrecorded",
		"default-encryption:after", "reencrypt:before", "reencrypt:checkpoint", "reencrypt:unrecorded", "reencrypt:after",
		"verify:unrecorded", "verify:after", "record:after"}
	var buckets []string
	for i := range fps {
		buckets = append(buckets, fmt.Sprintf("prod-kill-%02d", i))
	}
	const n = 24
	fx, old, target := s3Fixture(t, buckets, n)
	bin := rotBinary(t)
	for i, fp := range fps {
		t.Run(fp, func(t *testing.T) {
			arn := "arn:aws:s3:::" + buckets[i]
			args := migrationArgs(fx, "migrate", "apply", "--resource", arn, "--yes", "--checkpoint-every", "4", "--objects-in-flight", "3")
			killed, out := runBinary(t, bin, []string{rotation.FailpointEnv + "=" + fp}, args...)
			if !killed {
				t.Fatalf("failpoint %s did not kill byok migrate apply:\n%s", fp, out)
			}
			id := lastRunAt(t, fx)
			if fp == "reencrypt:checkpoint" {
				if on := onTarget(t, fx, buckets[i], target, n); on == 0 || on == n {
					t.Fatalf("killed mid-copy with %d of %d objects on the target: not mid-copy", on, n)
				}
			}
			if killed, out := runBinary(t, bin, nil, migrationArgs(fx, "migrate", "resume", id.String())...); killed || !strings.Contains(out, "succeeded") {
				t.Fatalf("resume after %s:\n%s", fp, out)
			}
			checkBucket(t, fx, buckets[i], old, target, n)
		})
	}
}

// onTarget counts the current objects on the target key.
func onTarget(t *testing.T, fx *fixture, bucket, target string, n int) int {
	t.Helper()
	on := 0
	for i := range n {
		h, err := fx.s3(fxProd).HeadObject(fx.ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("o/%03d", i))})
		fx.check("head", err)
		if aws.ToString(h.SSEKMSKeyId) == target {
			on++
		}
	}
	return on
}

func lastRunAt(t *testing.T, fx *fixture) store.RunID {
	t.Helper()
	w := &rotWorld{statePath: stateEnv(t)}
	return w.lastRun(t)
}

func stateEnv(t *testing.T) string {
	t.Helper()
	p := os.Getenv("BYOK_STATE")
	if p == "" {
		t.Fatal("BYOK_STATE is not set by the fixture")
	}
	return p
}

// runBinary runs the failpoint-enabled byok with extra environment and
// reports whether SIGKILL ended it.
func runBinary(t *testing.T, bin string, env []string, args ...string) (bool, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return ws.Signal() == syscall.SIGKILL, buf.String()
	}
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("byok %s: %v", strings.Join(args, " "), err)
	}
	return false, buf.String()
}

// TestMigrateS3BatchPath: above --batch-threshold the objects are moved by
// an S3 Batch Operations job. Killed right after the manifest is
// journaled, the resumed run reuses it and submits exactly one job; the
// bucket ends on the target key and the audit records the job.
func TestMigrateS3BatchPath(t *testing.T) {
	const n = 15
	fx, old, target := s3Fixture(t, []string{"prod-batch"}, n)
	batchBucket := "byok-batch-" + fxProd + "-" + fxRegion
	_, err := fx.s3(fxProd).CreateBucket(fx.ctx, &s3.CreateBucketInput{Bucket: aws.String(batchBucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(fxRegion)}})
	fx.check("create batch bucket", err)
	bin := rotBinary(t)
	args := migrationArgs(fx, "migrate", "apply", "--resource", "arn:aws:s3:::prod-batch", "--yes", "--batch-threshold", "10")
	killed, out := runBinary(t, bin, []string{rotation.FailpointEnv + "=reencrypt:batch-saved"}, args...)
	if !killed {
		t.Fatalf("failpoint did not kill byok migrate apply:\n%s", out)
	}
	id := lastRunAt(t, fx)
	if killed, out := runBinary(t, bin, nil, migrationArgs(fx, "migrate", "resume", id.String())...); killed || !strings.Contains(out, "succeeded") {
		t.Fatalf("resume:\n%s", out)
	}
	checkBucket(t, fx, "prod-batch", old, target, n)
	jobs, err := awsx.S3Control(fx.cfg(fxProd)).ListJobs(fx.ctx, &s3control.ListJobsInput{AccountId: aws.String(fxProd)})
	fx.check("list jobs", err)
	if len(jobs.Jobs) != 1 || jobs.Jobs[0].Status != s3controltypes.JobStatusComplete {
		t.Fatalf("jobs %+v, want exactly one, complete", jobs.Jobs)
	}
	if audit := cliRunOK(t, "audit", "show", "--format", "json"); !strings.Contains(audit, aws.ToString(jobs.Jobs[0].JobId)) {
		t.Errorf("the audit does not name the batch job:\n%s", audit)
	}
}
