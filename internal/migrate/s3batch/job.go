package s3batch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

// Control is the part of the S3 Control client the package calls.
type Control interface {
	CreateJob(ctx context.Context, in *s3control.CreateJobInput, opts ...func(*s3control.Options)) (*s3control.CreateJobOutput, error)
	DescribeJob(ctx context.Context, in *s3control.DescribeJobInput, opts ...func(*s3control.Options)) (*s3control.DescribeJobOutput, error)
}

// JobSpec is what a re-encryption job needs.
type JobSpec struct {
	Account, Partition string
	Bucket             string // re-encrypted in place
	TargetKeyARN       string
	RoleARN            string // the Batch Operations role in Account
	ReportBucket       string
	ReportPrefix       string
	// Token is the ClientRequestToken (1–64 characters): the same token
	// and manifest answer the same job, so a resumed submission is safe.
	Token       string
	Description string
}

// ErrJobFailed: the job ended Failed or Cancelled (see JobError).
var ErrJobFailed = errors.New("batch operations job did not complete")

// JobError is a job that ended without completing, with S3's reasons.
type JobError struct {
	JobID, Status string
	Reasons       []string
}

func (e *JobError) Error() string {
	return fmt.Sprintf("batch operations job %s ended %s: %s", e.JobID, e.Status, strings.Join(e.Reasons, "; "))
}
func (e *JobError) Unwrap() error { return ErrJobFailed }

// Submit creates the S3PutObjectCopy job over m: every listed object
// copied onto itself under the target key with an S3 Bucket Key, metadata
// copied, and a completion report of every task.
func Submit(ctx context.Context, c Control, spec JobSpec, m Manifest) (string, error) {
	part := spec.Partition
	if part == "" {
		part = "aws"
	}
	out, err := c.CreateJob(ctx, &s3control.CreateJobInput{AccountId: aws.String(spec.Account),
		ClientRequestToken: aws.String(spec.Token), ConfirmationRequired: aws.Bool(false), Priority: aws.Int32(10),
		RoleArn: aws.String(spec.RoleARN), Description: aws.String(spec.Description),
		Operation: &types.JobOperation{S3PutObjectCopy: &types.S3CopyObjectOperation{
			TargetResource: aws.String("arn:" + part + ":s3:::" + spec.Bucket), SSEAwsKmsKeyId: aws.String(spec.TargetKeyARN),
			BucketKeyEnabled: true, MetadataDirective: types.S3MetadataDirectiveCopy}},
		Manifest: &types.JobManifest{Location: &types.JobManifestLocation{ObjectArn: aws.String(m.ARN(part)), ETag: aws.String(m.ETag)},
			Spec: &types.JobManifestSpec{Format: types.JobManifestFormatS3BatchOperationsCsv20180820,
				Fields: []types.JobManifestFieldName{types.JobManifestFieldNameBucket, types.JobManifestFieldNameKey}}},
		Report: &types.JobReport{Enabled: true, Bucket: aws.String("arn:" + part + ":s3:::" + spec.ReportBucket),
			Format: types.JobReportFormatReportCsv20180820, Prefix: aws.String(spec.ReportPrefix), ReportScope: types.JobReportScopeAllTasks},
	})
	if err != nil {
		return "", fmt.Errorf("CreateJob for %s: %w", spec.Bucket, err)
	}
	return aws.ToString(out.JobId), nil
}

// Status is a job's state as DescribeJob reports it.
type Status struct {
	JobID, Status            string
	Total, Succeeded, Failed int64
	Reasons                  []string
}

// Track polls DescribeJob every poll until the job ends, calling
// progress (when set) after each poll. A Complete job returns its status;
// Failed or Cancelled a JobError.
func Track(ctx context.Context, c Control, account, jobID string, poll time.Duration, progress func(Status)) (Status, error) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		out, err := c.DescribeJob(ctx, &s3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String(jobID)})
		if err != nil {
			return Status{JobID: jobID}, fmt.Errorf("DescribeJob %s: %w", jobID, err)
		}
		st := statusOf(jobID, out.Job)
		if progress != nil {
			progress(st)
		}
		switch types.JobStatus(st.Status) {
		case types.JobStatusComplete:
			return st, nil
		case types.JobStatusFailed, types.JobStatusCancelled:
			return st, &JobError{JobID: jobID, Status: st.Status, Reasons: st.Reasons}
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return st, ctx.Err()
		}
	}
}

func statusOf(id string, j *types.JobDescriptor) Status {
	st := Status{JobID: id}
	if j == nil {
		return st
	}
	st.Status = string(j.Status)
	if p := j.ProgressSummary; p != nil {
		st.Total, st.Succeeded, st.Failed = aws.ToInt64(p.TotalNumberOfTasks), aws.ToInt64(p.NumberOfTasksSucceeded), aws.ToInt64(p.NumberOfTasksFailed)
	}
	for _, f := range j.FailureReasons {
		st.Reasons = append(st.Reasons, aws.ToString(f.FailureCode)+": "+aws.ToString(f.FailureReason))
	}
	return st
}
