package s3controlsvc

import (
	"strings"
	"sync"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// taskWorkers is how many tasks of one job run at once.
const taskWorkers = 8

// failureFloor: after this many tasks, a job whose tasks fail more than
// half the time fails (S3's task failure threshold).
const failureFloor = 1000

// start runs j in the background (a job is started when created, when
// confirmed, and when the sandbox reopens its state).
func (s *Service) start(j *job) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.run(j)
	}()
}

// run drives j from its status to Suspended (awaiting confirmation) or to
// an end. A restarted sandbox runs unfinished jobs' tasks again.
func (s *Service) run(j *job) {
	if !s.advance(j, statusNew, statusPreparing) && !s.is(j, statusPreparing, statusReady, statusActive) {
		return
	}
	tasks, fail := s.readManifest(j)
	if fail != nil {
		s.end(j, statusFailed, fail)
		return
	}
	s.mu.Lock()
	j.Total = int64(len(tasks))
	if j.Status == statusPreparing {
		j.Status = statusReady
		if j.Req.ConfirmationRequired {
			now := s.env.Clock.Now()
			j.Status, j.Suspended = statusSuspended, &now
		}
	}
	_ = s.persist(j)
	s.mu.Unlock()
	if !s.advance(j, statusReady, statusActive) && !s.is(j, statusActive) {
		s.cancelled(j)
		return
	}
	results := s.runTasks(j, tasks)
	s.finish(j, tasks, results)
}

// advance moves j from one status to the next; false when it is not there.
func (s *Service) advance(j *job, from, to string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j.Status != from {
		return false
	}
	j.Status = to
	_ = s.persist(j)
	return true
}

func (s *Service) is(j *job, statuses ...string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range statuses {
		if j.Status == st {
			return true
		}
	}
	return false
}

// cancelled ends a job whose cancellation was requested.
func (s *Service) cancelled(j *job) {
	if s.is(j, statusCancelling) {
		s.end(j, statusCancelled, nil)
	}
}

func (s *Service) end(j *job, status string, fail *jobFailure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.env.Clock.Now()
	j.Status, j.Ended = status, &now
	if fail != nil {
		j.Failures = append(j.Failures, *fail)
	}
	_ = s.persist(j)
}

// roleCall is the call S3 sees for the job's tasks: the job's role in
// the Region of the bucket the call addresses.
func (s *Service) roleCall(j *job, bucket string) svc.Call {
	region, _, ok := s.s3.BucketRegion(bucket)
	if !ok {
		region = j.Region
	}
	p := j.Caller
	if role := j.Req.RoleArn; role != "" {
		name := role[strings.LastIndex(role, "/")+1:]
		p = identity.Principal{Type: identity.AssumedRole, Account: j.Account, RoleARN: role, SessionName: "s3-batch-operations",
			ARN: "arn:" + j.Partition + ":sts::" + j.Account + ":assumed-role/" + name + "/s3-batch-operations", UserID: "AROA" + j.ID[:8] + ":s3-batch-operations"}
	}
	return svc.Call{Op: "BatchOperations", Region: region, Caller: p, RequestID: awsproto.NewRequestID(), Now: s.env.Clock.Now(),
		SourceIP: "batchoperations.s3.amazonaws.com", UserAgent: "batchoperations.s3.amazonaws.com"}
}

// readManifest reads and parses the manifest object, checking its ETag.
func (s *Service) readManifest(j *job) ([]Task, *jobFailure) {
	m := objectARN.FindStringSubmatch(j.Req.Manifest.Location.ObjectArn)
	body, etag, err := s.s3.ReadObject(s.roleCall(j, m[1]), m[1], m[2])
	if err != nil {
		return nil, &jobFailure{FailureCode: "ManifestReadFailed", FailureReason: "Reading the manifest failed: " + err.Code + ": " + err.Message}
	}
	if strings.Trim(etag, `"`) != strings.Trim(j.Req.Manifest.Location.ETag, `"`) {
		return nil, &jobFailure{FailureCode: "ManifestETagMismatch", FailureReason: "The manifest's ETag " + etag + " does not match " + j.Req.Manifest.Location.ETag}
	}
	tasks, perr := ParseManifest(body, j.Req.Manifest.Spec.Fields)
	if perr != nil {
		return nil, &jobFailure{FailureCode: "ManifestParseFailed", FailureReason: perr.Error()}
	}
	return tasks, nil
}

// taskResult is one task's outcome for the report.
type taskResult struct {
	ran        bool
	code       string // "" when it succeeded
	httpStatus int
	message    string
}

// runTasks copies every task with taskWorkers goroutines until done,
// cancelled, the sandbox closes, or the failure threshold is passed.
func (s *Service) runTasks(j *job, tasks []Task) []taskResult {
	results := make([]taskResult, len(tasks))
	op := j.Req.Operation.S3PutObjectCopy
	target := bucketARN.FindStringSubmatch(op.TargetResource)[1]
	cp := s3svc.BatchCopy{TargetBucket: target, KMSKeyID: op.SSEAwsKmsKeyId, BucketKey: op.BucketKeyEnabled,
		StorageClass: op.StorageClass, ReplaceMetadata: op.MetadataDirective == "REPLACE"}
	if cp.KMSKeyID != "" {
		cp.SSE = "aws:kms"
	}
	started := time.Now()
	next := make(chan int)
	var wg sync.WaitGroup
	for range taskWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = s.task(j, tasks[i], cp)
			}
		}()
	}
	for i := range tasks {
		if s.stopping(j) {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	s.mu.Lock()
	j.ActiveFor += time.Since(started).Seconds()
	s.mu.Unlock()
	return results
}

func (s *Service) task(j *job, t Task, cp s3svc.BatchCopy) taskResult {
	err := s.s3.CopyTask(s.roleCall(j, t.Bucket), t.Bucket, t.Key, t.VersionID, cp)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		j.Failed++
		return taskResult{ran: true, code: err.Code, httpStatus: err.StatusOr(), message: err.Message}
	}
	j.Succeeded++
	return taskResult{ran: true, httpStatus: 200}
}

// stopping: the sandbox closes, the job is being cancelled, or too many
// tasks failed.
func (s *Service) stopping(j *job) bool {
	if s.ctx.Err() != nil {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	done := j.Succeeded + j.Failed
	return j.Status == statusCancelling || (done >= failureFloor && j.Failed*2 > done)
}

// finish ends the job and writes its completion report.
func (s *Service) finish(j *job, tasks []Task, results []taskResult) {
	if s.ctx.Err() != nil {
		return // the sandbox closes; the job runs again when it opens
	}
	status, fail := statusComplete, (*jobFailure)(nil)
	s.mu.Lock()
	done := j.Succeeded + j.Failed
	switch {
	case j.Status == statusCancelling:
		status = statusCancelled
	case done >= failureFloor && j.Failed*2 > done:
		status, fail = statusFailed, &jobFailure{FailureCode: "TaskFailureThresholdExceeded",
			FailureReason: "More than half of the tasks failed; the job stopped"}
	}
	s.mu.Unlock()
	if rerr := s.writeReport(j, tasks, results); rerr != nil {
		fail = &jobFailure{FailureCode: "ReportWriteFailed", FailureReason: "Writing the completion report failed: " + rerr.Code + ": " + rerr.Message}
		if status == statusComplete {
			status = statusFailed
		}
	}
	s.end(j, status, fail)
}
