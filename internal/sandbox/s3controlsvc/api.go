package s3controlsvc

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

func newJobID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// createJob validates the request and starts the job; the same token with
// the same body answers the same job (IdempotencyException otherwise).
func (s *Service) createJob(w http.ResponseWriter, c *svc.Call) *awsproto.Error {
	req, err := ParseCreateJob(c.Body)
	if err != nil {
		return err
	}
	hash := bodyHash(c.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.jobs {
		if j.Account == c.Caller.Account && j.Req.ClientRequestToken == req.ClientRequestToken {
			if j.BodyHash != hash {
				return &awsproto.Error{Status: http.StatusConflict, Code: "IdempotencyException",
					Message: "The ClientRequestToken was already used with different request parameters"}
			}
			writeXML(w, c.RequestID, createJobResult{Xmlns: xmlns, JobID: j.ID})
			return nil
		}
	}
	j := &job{ID: newJobID(), Account: c.Caller.Account, Region: c.Region, Partition: s.env.Partition, BodyHash: hash,
		Req: *req, Caller: c.Caller, Status: statusNew, Created: c.Now}
	if err := s.persist(j); err != nil {
		return err
	}
	s.jobs[j.ID] = j
	s.start(j)
	writeXML(w, c.RequestID, createJobResult{Xmlns: xmlns, JobID: j.ID})
	return nil
}

// lookup returns the caller's job; s.mu held.
func (s *Service) lookup(c *svc.Call, id string) (*job, *awsproto.Error) {
	j := s.jobs[id]
	if j == nil || j.Account != c.Caller.Account || j.Region != c.Region {
		return nil, &awsproto.Error{Status: http.StatusNotFound, Code: "NotFoundException", Message: "The specified job was not found: " + id}
	}
	return j, nil
}

func (s *Service) describeJob(w http.ResponseWriter, c *svc.Call, id string) *awsproto.Error {
	s.mu.Lock()
	j, err := s.lookup(c, id)
	var d jobDescriptor
	if err == nil {
		d = j.describe()
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	writeXML(w, c.RequestID, describeJobResult{Xmlns: xmlns, Job: d})
	return nil
}

var allStatuses = []string{statusNew, statusPreparing, statusSuspended, statusReady, statusActive, statusComplete,
	statusFailed, statusCancelling, statusCancelled, "Pausing", "Paused", "Completing", "Failing"}

// listJobs pages the caller's jobs (newest first), filtered by status.
func (s *Service) listJobs(w http.ResponseWriter, c *svc.Call) *awsproto.Error {
	q := c.Req.URL.Query()
	for _, st := range q["jobStatuses"] {
		if !slices.Contains(allStatuses, st) {
			return badRequest("Invalid job status: %q", st)
		}
	}
	limit := 1000
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1000 {
			return badRequest("maxResults must be 0-1000")
		}
		limit = n
	}
	start, err := strconv.Atoi(q.Get("nextToken"))
	if q.Has("nextToken") && (err != nil || start < 0) {
		return badRequest("Invalid nextToken")
	}
	s.mu.Lock()
	var mine []*job
	for _, j := range s.jobs {
		if j.Account == c.Caller.Account && j.Region == c.Region && (len(q["jobStatuses"]) == 0 || slices.Contains(q["jobStatuses"], j.Status)) {
			mine = append(mine, j)
		}
	}
	slices.SortFunc(mine, func(a, b *job) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	out := listJobsResult{Xmlns: xmlns, Jobs: []jobListDescriptor{}}
	for i := start; i < len(mine) && len(out.Jobs) < limit; i++ {
		out.Jobs = append(out.Jobs, listEntry(mine[i]))
	}
	if end := start + len(out.Jobs); end < len(mine) && limit > 0 {
		out.NextToken = strconv.Itoa(end)
	}
	s.mu.Unlock()
	writeXML(w, c.RequestID, out)
	return nil
}

func listEntry(j *job) jobListDescriptor {
	d := jobListDescriptor{JobID: j.ID, Description: j.Req.Description, Operation: "S3PutObjectCopy", Priority: *j.Req.Priority,
		Status: j.Status, CreationTime: isoTime(j.Created), Progress: j.progress()}
	if j.Ended != nil {
		d.TerminationDate = isoTime(*j.Ended)
	}
	return d
}

// updateJobStatus confirms a job awaiting confirmation (Ready) or cancels
// a job that has not ended; anything else is a JobStatusException.
func (s *Service) updateJobStatus(w http.ResponseWriter, c *svc.Call, id string) *awsproto.Error {
	q := c.Req.URL.Query()
	want, reason := q.Get("requestedJobStatus"), q.Get("statusUpdateReason")
	if want != statusReady && want != statusCancelled {
		return badRequest("requestedJobStatus must be Ready or Cancelled, got %q", want)
	}
	if len(reason) > 256 {
		return badRequest("statusUpdateReason must be at most 256 characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j, err := s.lookup(c, id)
	if err != nil {
		return err
	}
	switch {
	case want == statusReady && j.Status == statusSuspended:
		j.Status, j.Reason = statusReady, reason
		s.start(j)
	case want == statusCancelled && !j.terminal():
		j.Reason = reason
		if j.Status == statusSuspended || j.Status == statusNew {
			j.Status, j.Ended = statusCancelled, &c.Now
		} else {
			j.Status = statusCancelling
		}
	default:
		return &awsproto.Error{Status: http.StatusBadRequest, Code: "JobStatusException",
			Message: "Job " + id + " is " + j.Status + " and cannot be changed to " + want}
	}
	if err := s.persist(j); err != nil {
		return err
	}
	writeXML(w, c.RequestID, updateJobStatusResult{Xmlns: xmlns, JobID: j.ID, Status: j.Status, StatusUpdateReason: j.Reason})
	return nil
}
