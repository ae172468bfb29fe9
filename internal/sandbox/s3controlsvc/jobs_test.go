package s3controlsvc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/smithy-go"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

const account = "333333333333"

type env struct {
	s3     *s3.Client
	ctl    *s3control.Client
	target string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	sb := sandboxrun.NewTest(t, false)
	if err := sb.AddAccount(account, "prod"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg := sb.Config(ctx, account)
	e := &env{s3: awsx.S3(cfg), ctl: awsx.S3Control(cfg)}
	k, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	e.target = aws.ToString(k.KeyMetadata.Arn)
	for _, b := range []string{"data", "reports"} {
		if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b),
			CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *env) put(t *testing.T, bucket, key, body string) string {
	t.Helper()
	out, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.ETag)
}

func (e *env) get(t *testing.T, bucket, key string) (*s3.GetObjectOutput, string) {
	t.Helper()
	out, err := e.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	b, _ := io.ReadAll(out.Body)
	return out, string(b)
}

// job creates a copy job onto the target key over a manifest naming keys.
func (e *env) job(t *testing.T, token string, confirm bool, keys ...string) string {
	t.Helper()
	var m bytes.Buffer
	for _, k := range keys {
		fmt.Fprintf(&m, "data,%s\n", url.QueryEscape(k))
	}
	etag := e.put(t, "reports", "manifests/"+token+".csv", m.String())
	out, err := e.ctl.CreateJob(context.Background(), e.createInput(token, confirm, "arn:aws:s3:::reports/manifests/"+token+".csv", etag))
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.JobId)
}

func (e *env) createInput(token string, confirm bool, manifestARN, etag string) *s3control.CreateJobInput {
	return &s3control.CreateJobInput{AccountId: aws.String(account), ClientRequestToken: aws.String(token),
		ConfirmationRequired: aws.Bool(confirm), Priority: aws.Int32(10), RoleArn: aws.String("arn:aws:iam::" + account + ":role/batch"),
		Operation: &types.JobOperation{S3PutObjectCopy: &types.S3CopyObjectOperation{TargetResource: aws.String("arn:aws:s3:::data"),
			SSEAwsKmsKeyId: aws.String(e.target), BucketKeyEnabled: true, MetadataDirective: types.S3MetadataDirectiveCopy}},
		Manifest: &types.JobManifest{Location: &types.JobManifestLocation{ObjectArn: aws.String(manifestARN), ETag: aws.String(etag)},
			Spec: &types.JobManifestSpec{Format: types.JobManifestFormatS3BatchOperationsCsv20180820, Fields: []types.JobManifestFieldName{"Bucket", "Key"}}},
		Report: &types.JobReport{Enabled: true, Bucket: aws.String("arn:aws:s3:::reports"), Format: types.JobReportFormatReportCsv20180820,
			Prefix: aws.String("batch"), ReportScope: types.JobReportScopeAllTasks}}
}

// wait polls DescribeJob until the job reaches one of statuses (the job
// runs asynchronously; the deadline only guards against a hang).
func (e *env) wait(t *testing.T, id string, statuses ...types.JobStatus) *types.JobDescriptor {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := e.ctl.DescribeJob(context.Background(), &s3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range statuses {
			if out.Job.Status == s {
				return out.Job
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s", id, out.Job.Status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestCopyJobReencrypts runs a job over three objects, one missing: two
// end on the target key with their metadata, the report lists both
// outcomes, and ListJobs shows the job.
func TestCopyJobReencrypts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("a b+c"), Body: strings.NewReader("one"),
		Metadata: map[string]string{"m": "v"}}); err != nil {
		t.Fatal(err)
	}
	e.put(t, "data", "two", "two")
	id := e.job(t, "tok-1", false, "a b+c", "two", "missing")
	j := e.wait(t, id, types.JobStatusComplete, types.JobStatusFailed)
	if j.Status != types.JobStatusComplete || aws.ToInt64(j.ProgressSummary.NumberOfTasksSucceeded) != 2 || aws.ToInt64(j.ProgressSummary.NumberOfTasksFailed) != 1 {
		t.Fatalf("job %s: %+v", j.Status, j.ProgressSummary)
	}
	out, body := e.get(t, "data", "a b+c")
	if aws.ToString(out.SSEKMSKeyId) != e.target || !aws.ToBool(out.BucketKeyEnabled) || out.Metadata["m"] != "v" || body != "one" {
		t.Fatalf("copied object: key %s meta %v body %q", aws.ToString(out.SSEKMSKeyId), out.Metadata, body)
	}
	_, manifest := e.get(t, "reports", "batch/job-"+id+"/manifest.json")
	if !strings.Contains(manifest, `"TaskExecutionStatus":"failed"`) || !strings.Contains(manifest, `"TaskExecutionStatus":"succeeded"`) {
		t.Fatalf("report manifest: %s", manifest)
	}
	list, err := e.ctl.ListJobs(ctx, &s3control.ListJobsInput{AccountId: aws.String(account), JobStatuses: []types.JobStatus{types.JobStatusComplete}})
	if err != nil || len(list.Jobs) != 1 || aws.ToString(list.Jobs[0].JobId) != id || list.Jobs[0].Operation != types.OperationNameS3PutObjectCopy {
		t.Fatalf("ListJobs: %+v %v", list, err)
	}
	again, err := e.ctl.CreateJob(ctx, e.createInput("tok-1", false, "arn:aws:s3:::reports/manifests/tok-1.csv", "\"other\""))
	var idem *types.IdempotencyException
	if !errors.As(err, &idem) {
		t.Fatalf("same token, other body: %v %v", again, err)
	}
}

// TestConfirmationAndCancel: a job that needs confirmation waits
// Suspended until UpdateJobStatus(Ready); one cancelled while waiting ends
// Cancelled without running; an ended job cannot change.
func TestConfirmationAndCancel(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.put(t, "data", "k", "v")
	id := e.job(t, "confirm", true, "k")
	j := e.wait(t, id, types.JobStatusSuspended)
	if aws.ToInt64(j.ProgressSummary.TotalNumberOfTasks) != 1 {
		t.Fatalf("suspended job should know its tasks: %+v", j.ProgressSummary)
	}
	if out, _ := e.get(t, "data", "k"); aws.ToString(out.SSEKMSKeyId) == e.target {
		t.Fatal("a job awaiting confirmation copied")
	}
	if _, err := e.ctl.UpdateJobStatus(ctx, &s3control.UpdateJobStatusInput{AccountId: aws.String(account), JobId: aws.String(id),
		RequestedJobStatus: types.RequestedJobStatusReady}); err != nil {
		t.Fatal(err)
	}
	if j := e.wait(t, id, types.JobStatusComplete, types.JobStatusFailed); j.Status != types.JobStatusComplete {
		t.Fatalf("confirmed job %s", j.Status)
	}
	_, err := e.ctl.UpdateJobStatus(ctx, &s3control.UpdateJobStatusInput{AccountId: aws.String(account), JobId: aws.String(id),
		RequestedJobStatus: types.RequestedJobStatusCancelled})
	var st *types.JobStatusException
	if !errors.As(err, &st) {
		t.Fatalf("cancel a complete job: %v", err)
	}
	other := e.job(t, "cancel", true, "k")
	e.wait(t, other, types.JobStatusSuspended)
	if _, err := e.ctl.UpdateJobStatus(ctx, &s3control.UpdateJobStatusInput{AccountId: aws.String(account), JobId: aws.String(other),
		RequestedJobStatus: types.RequestedJobStatusCancelled, StatusUpdateReason: aws.String("not now")}); err != nil {
		t.Fatal(err)
	}
	if j := e.wait(t, other, types.JobStatusCancelled); aws.ToString(j.StatusUpdateReason) != "not now" {
		t.Fatalf("reason %q", aws.ToString(j.StatusUpdateReason))
	}
}

// TestJobErrors: each refused request or failed job with S3 Control's code.
func TestJobErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	etag := e.put(t, "reports", "m.csv", "data,k\n")
	_, err := e.ctl.DescribeJob(ctx, &s3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String("00000000-0000-0000-0000-000000000000")})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("unknown job: %v", err)
	}
	bad := e.createInput("bad-role", false, "arn:aws:s3:::reports/m.csv", etag)
	bad.RoleArn = aws.String("batch")
	_, err = e.ctl.CreateJob(ctx, bad)
	var br *types.BadRequestException
	if !errors.As(err, &br) {
		t.Fatalf("bad role: %v", err)
	}
	other := e.createInput("other-account", false, "arn:aws:s3:::reports/m.csv", etag)
	other.AccountId = aws.String("222222222222")
	var ae smithy.APIError
	if _, err = e.ctl.CreateJob(ctx, other); !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("other account: %v", err)
	}
	out, err := e.ctl.CreateJob(ctx, e.createInput("stale-etag", false, "arn:aws:s3:::reports/m.csv", "\"0123\""))
	if err != nil {
		t.Fatal(err)
	}
	j := e.wait(t, aws.ToString(out.JobId), types.JobStatusFailed, types.JobStatusComplete)
	if j.Status != types.JobStatusFailed || len(j.FailureReasons) != 1 || aws.ToString(j.FailureReasons[0].FailureCode) != "ManifestETagMismatch" {
		t.Fatalf("stale manifest ETag: %s %+v", j.Status, j.FailureReasons)
	}
}
