package s3controlsvc

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

const kindJob = "s3control.job"

// Service is the sandbox's S3 Control. Safe for concurrent use; Close
// stops running jobs (they resume when the state is opened again).
type Service struct {
	env    *svc.Env
	s3     *s3svc.Service
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu   sync.Mutex
	jobs map[string]*job // by job ID
}

// New returns S3 Control over s3, restarting jobs that state holds
// unfinished.
func New(env *svc.Env, s3 *s3svc.Service) (*Service, error) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{env: env, s3: s3, ctx: ctx, cancel: cancel, jobs: map[string]*job{}}
	err := env.State.Each(kindJob, func(id string, raw json.RawMessage) error {
		j := new(job)
		if err := json.Unmarshal(raw, j); err != nil {
			return fmt.Errorf("%s %s: %w", kindJob, id, err)
		}
		s.jobs[j.ID] = j
		return nil
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("load s3control state: %w", err)
	}
	for _, j := range s.jobs {
		if !j.terminal() && j.Status != statusSuspended {
			s.start(j)
		}
	}
	return s, nil
}

// Close stops the job runners and waits for them.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}

// Operation names an S3 Control request.
func (s *Service) Operation(r *http.Request, _ []byte) (string, *awsproto.Error) {
	op, _ := route(r)
	if op == "" {
		return "", &awsproto.Error{Status: http.StatusNotImplemented, Code: "NotImplemented",
			Message: "The sandbox's S3 Control serves only Batch Operations jobs"}
	}
	return op, nil
}

// route returns the operation and the job ID the path names.
func route(r *http.Request) (op, jobID string) {
	rest := strings.TrimPrefix(r.URL.EscapedPath(), pathPrefix)
	parts := strings.Split(rest, "/")
	switch {
	case rest == "jobs" && r.Method == http.MethodPost:
		return "CreateJob", ""
	case rest == "jobs" && r.Method == http.MethodGet:
		return "ListJobs", ""
	case len(parts) == 2 && parts[0] == "jobs" && parts[1] != "" && r.Method == http.MethodGet:
		return "DescribeJob", parts[1]
	case len(parts) == 3 && parts[0] == "jobs" && parts[2] == "status" && r.Method == http.MethodPost:
		return "UpdateJobStatus", parts[1]
	}
	return "", ""
}

// Serve handles an authenticated S3 Control call.
func (s *Service) Serve(w http.ResponseWriter, c *svc.Call) {
	op, id := route(c.Req)
	var err *awsproto.Error
	if a := c.Req.Header.Get("x-amz-account-id"); a != c.Caller.Account {
		err = &awsproto.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied"}
	} else {
		switch op {
		case "CreateJob":
			err = s.createJob(w, c)
		case "DescribeJob":
			err = s.describeJob(w, c, id)
		case "ListJobs":
			err = s.listJobs(w, c)
		case "UpdateJobStatus":
			err = s.updateJobStatus(w, c, id)
		}
	}
	if err != nil {
		writeError(w, c.RequestID, err)
	}
}

// writeError writes S3 Control's error shape: the code and message inside
// an ErrorResponse's Error element.
func writeError(w http.ResponseWriter, rid string, e *awsproto.Error) {
	type body struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Code      string   `xml:"Error>Code"`
		Message   string   `xml:"Error>Message"`
		RequestID string   `xml:"RequestId"`
	}
	out, _ := xml.Marshal(body{Code: e.Code, Message: e.Message, RequestID: rid})
	out = append([]byte(xml.Header), out...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-amz-request-id", rid)
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(e.StatusOr())
	_, _ = w.Write(out)
}

func writeXML(w http.ResponseWriter, rid string, v any) {
	out, err := xml.Marshal(v)
	if err != nil {
		writeError(w, rid, &awsproto.Error{Status: 500, Code: "InternalServiceException", Message: "response encoding failed", Server: true})
		return
	}
	out = append([]byte(xml.Header), out...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-amz-request-id", rid)
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// persist saves j; s.mu held.
func (s *Service) persist(j *job) *awsproto.Error {
	if err := s.env.State.Put(kindJob, j.ID, j); err != nil {
		return &awsproto.Error{Status: 500, Code: "InternalServiceException", Message: "the sandbox could not persist state: " + err.Error(), Server: true}
	}
	return nil
}
