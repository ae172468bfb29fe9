package s3controlsvc

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/identity"
)

// Job statuses, as S3 Control spells them.
const (
	statusNew        = "New"
	statusPreparing  = "Preparing"
	statusSuspended  = "Suspended"
	statusReady      = "Ready"
	statusActive     = "Active"
	statusComplete   = "Complete"
	statusFailed     = "Failed"
	statusCancelling = "Cancelling"
	statusCancelled  = "Cancelled"
)

// job is a Batch Operations job as the sandbox stores it.
type job struct {
	ID        string             `json:"id"`
	Account   string             `json:"account"`
	Region    string             `json:"region"`
	Partition string             `json:"partition"`
	BodyHash  string             `json:"bodyHash"` // for ClientRequestToken idempotency
	Req       CreateJobRequest   `json:"req"`
	Caller    identity.Principal `json:"caller"`
	Status    string             `json:"status"`
	Reason    string             `json:"reason,omitempty"`
	Created   time.Time          `json:"created"`
	Suspended *time.Time         `json:"suspended,omitempty"`
	Ended     *time.Time         `json:"ended,omitempty"`
	Total     int64              `json:"total"`
	Succeeded int64              `json:"succeeded"`
	Failed    int64              `json:"failed"`
	ActiveFor float64            `json:"activeFor"` // seconds spent Active
	Failures  []jobFailure       `json:"failures,omitempty"`
}

type jobFailure struct {
	FailureCode   string `xml:"FailureCode" json:"code"`
	FailureReason string `xml:"FailureReason" json:"reason"`
}

func (j *job) terminal() bool {
	return j.Status == statusComplete || j.Status == statusFailed || j.Status == statusCancelled
}

func (j *job) arn() string {
	return "arn:" + j.Partition + ":s3:" + j.Region + ":" + j.Account + ":job/" + j.ID
}

func bodyHash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// jobDescriptor is DescribeJob's Job element.
type jobDescriptor struct {
	JobID                string       `xml:"JobId"`
	ConfirmationRequired bool         `xml:"ConfirmationRequired"`
	Description          string       `xml:"Description,omitempty"`
	JobArn               string       `xml:"JobArn"`
	Status               string       `xml:"Status"`
	Manifest             Manifest     `xml:"Manifest"`
	Operation            Operation    `xml:"Operation"`
	Priority             int          `xml:"Priority"`
	Progress             progress     `xml:"ProgressSummary"`
	StatusUpdateReason   string       `xml:"StatusUpdateReason,omitempty"`
	FailureReasons       []jobFailure `xml:"FailureReasons>member,omitempty"`
	Report               JobReport    `xml:"Report"`
	CreationTime         string       `xml:"CreationTime"`
	TerminationDate      string       `xml:"TerminationDate,omitempty"`
	RoleArn              string       `xml:"RoleArn"`
	SuspendedDate        string       `xml:"SuspendedDate,omitempty"`
	SuspendedCause       string       `xml:"SuspendedCause,omitempty"`
}

type progress struct {
	Total     int64 `xml:"TotalNumberOfTasks"`
	Succeeded int64 `xml:"NumberOfTasksSucceeded"`
	Failed    int64 `xml:"NumberOfTasksFailed"`
	Elapsed   int64 `xml:"Timers>ElapsedTimeInActiveSeconds"`
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// describe renders j; s.mu held.
func (j *job) describe() jobDescriptor {
	d := jobDescriptor{JobID: j.ID, ConfirmationRequired: j.Req.ConfirmationRequired, Description: j.Req.Description,
		JobArn: j.arn(), Status: j.Status, Manifest: j.Req.Manifest, Operation: Operation{S3PutObjectCopy: j.Req.Operation.S3PutObjectCopy},
		Priority: *j.Req.Priority, Progress: j.progress(), StatusUpdateReason: j.Reason, FailureReasons: j.Failures,
		Report: j.Req.Report, CreationTime: isoTime(j.Created), RoleArn: j.Req.RoleArn}
	if j.Ended != nil {
		d.TerminationDate = isoTime(*j.Ended)
	}
	if j.Suspended != nil && j.Status == statusSuspended {
		d.SuspendedDate, d.SuspendedCause = isoTime(*j.Suspended), "AwaitingConfirmation"
	}
	return d
}

func (j *job) progress() progress {
	return progress{Total: j.Total, Succeeded: j.Succeeded, Failed: j.Failed, Elapsed: int64(j.ActiveFor)}
}

// jobListDescriptor is one ListJobs entry.
type jobListDescriptor struct {
	JobID           string   `xml:"JobId"`
	Description     string   `xml:"Description,omitempty"`
	Operation       string   `xml:"Operation"`
	Priority        int      `xml:"Priority"`
	Status          string   `xml:"Status"`
	CreationTime    string   `xml:"CreationTime"`
	TerminationDate string   `xml:"TerminationDate,omitempty"`
	Progress        progress `xml:"ProgressSummary"`
}

type describeJobResult struct {
	XMLName xml.Name      `xml:"DescribeJobResult"`
	Xmlns   string        `xml:"xmlns,attr"`
	Job     jobDescriptor `xml:"Job"`
}

type createJobResult struct {
	XMLName xml.Name `xml:"CreateJobResult"`
	Xmlns   string   `xml:"xmlns,attr"`
	JobID   string   `xml:"JobId"`
}

type listJobsResult struct {
	XMLName   xml.Name            `xml:"ListJobsResult"`
	Xmlns     string              `xml:"xmlns,attr"`
	NextToken string              `xml:"NextToken,omitempty"`
	Jobs      []jobListDescriptor `xml:"Jobs>member"`
}

type updateJobStatusResult struct {
	XMLName            xml.Name `xml:"UpdateJobStatusResult"`
	Xmlns              string   `xml:"xmlns,attr"`
	JobID              string   `xml:"JobId"`
	Status             string   `xml:"Status"`
	StatusUpdateReason string   `xml:"StatusUpdateReason,omitempty"`
}
