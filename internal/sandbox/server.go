// Package sandbox serves an AWS-compatible endpoint on one loopback port
// (KMS, STS, CloudTrail, RDS, DynamoDB, S3, Config, SNS, Security Hub) for several accounts,
// choosing the service by the SigV4 signing name as LocalStack does. It
// authenticates every request (access key → account, signature verified),
// applies injected latency, faults and AWS request quotas, counts calls, and
// hands the call to the service. Clients are the unmodified AWS SDK and CLI
// pointed at it with AWS_ENDPOINT_URL; nothing in the product knows it is a
// sandbox. Admin operations live under /_byok/ on the same port.
package sandbox

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/clock"
	"github.com/byok-dev/byok/internal/sandbox/delay"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	"github.com/byok-dev/byok/internal/sandbox/sigv4"
	"github.com/byok-dev/byok/internal/sandbox/statelog"
	"github.com/byok-dev/byok/internal/sandbox/svc"
	"github.com/byok-dev/byok/internal/sandbox/trail"
)

// MaxBody is the largest request body accepted (S3 PutObject aside, AWS
// APIs byok uses take far less).
const MaxBody = 8 << 20

// Options configure a Server.
type Options struct {
	StatePath string // "" keeps state in memory
	Logger    *slog.Logger
	// Remote: the sandbox may be reached on a non-loopback address; new
	// accounts get random secrets (not derived from the account ID) and
	// admin requests may name any Host (the token is still required).
	Remote bool
	// StageNewState writes a state file that does not exist yet beside
	// its path until Env.State.Publish (statelog.OpenStaged).
	StageNewState bool
}

// Server is the sandbox. Create with New, add services with Register.
type Server struct {
	Env      *svc.Env
	Faults   *faults.Injector
	Counters *Counters
	services map[string]svc.Service
	admin    *http.ServeMux

	adminToken string
	remote     bool
}

// New opens the state and builds a server with no services.
func New(opts Options) (*Server, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	open := statelog.Open
	if opts.StageNewState {
		open = statelog.OpenStaged
	}
	log, err := open(opts.StatePath)
	if err != nil {
		return nil, err
	}
	reg, err := identity.New(log)
	if err != nil {
		return nil, err
	}
	tr, err := trail.New(log)
	if err != nil {
		return nil, err
	}
	env := &svc.Env{Clock: &clock.Clock{}, State: log, IAM: reg, Trail: tr, Logger: logger, Partition: "aws"}
	s := &Server{Env: env, Faults: faults.New(), Counters: newCounters(),
		services: map[string]svc.Service{}, admin: http.NewServeMux(),
		adminToken: newAdminToken(), remote: opts.Remote}
	s.routeAdmin()
	return s, nil
}

// Register adds a service (and its admin handler, if any).
func (s *Server) Register(v svc.Service) {
	s.services[v.SigningName()] = v
	if a, ok := v.(svc.Admin); ok {
		prefix := "/_byok/" + v.SigningName() + "/"
		s.admin.Handle(prefix, http.StripPrefix(strings.TrimSuffix(prefix, "/"), a.AdminHandler()))
	}
}

// Service returns the registered service for a signing name.
func (s *Server) Service(name string) svc.Service { return s.services[name] }

// Close flushes state.
func (s *Server) Close() error { return s.Env.State.Close() }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_byok/") {
		if status, why := s.adminRefusal(r); status != 0 {
			adminError(w, status, "%s", why)
			return
		}
		s.admin.ServeHTTP(w, r)
		return
	}
	rid := awsproto.NewRequestID()
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return // client went away
	}
	if len(body) > MaxBody {
		awsproto.WriteError(w, guessProtocol(r), rid, &awsproto.Error{Status: http.StatusRequestEntityTooLarge,
			Code: "RequestEntityTooLargeException", Message: "Request body exceeds the sandbox limit of 8 MiB"})
		return
	}
	call, service, aerr := s.authenticate(r, body, rid)
	if aerr != nil {
		awsproto.WriteError(w, protocolOf(service, r), rid, aerr)
		return
	}
	s.dispatch(w, call, service)
}

func (s *Server) dispatch(w http.ResponseWriter, c *svc.Call, v svc.Service) {
	s.Counters.add(c.Caller.Account, v.SigningName(), c.Op)
	wait, ferr := s.Faults.Decide(v.SigningName(), c.Op, c.Caller.Account, c.Region)
	if wait > 0 && !delay.Sleep(c.Req.Context(), wait) {
		return
	}
	if ferr != nil {
		awsproto.WriteError(w, v.Protocol(), c.RequestID, ferr)
		return
	}
	if lost := s.Faults.DecideAfter(v.SigningName(), c.Op, c.Caller.Account); lost != nil {
		// The call takes full effect (state, CloudTrail); its answer is lost.
		v.Serve(discard{header: http.Header{}}, c)
		awsproto.WriteError(w, v.Protocol(), c.RequestID, lost)
		return
	}
	v.Serve(w, c)
}

// discard is a ResponseWriter that drops the answer of a call whose
// response a lost-answer fault replaces.
type discard struct{ header http.Header }

func (d discard) Header() http.Header         { return d.header }
func (d discard) Write(p []byte) (int, error) { return len(p), nil }
func (d discard) WriteHeader(int)             {}

func (s *Server) authenticate(r *http.Request, body []byte, rid string) (*svc.Call, svc.Service, *awsproto.Error) {
	auth, err := sigv4.Parse(r)
	if err != nil {
		return nil, nil, authError(guessProtocol(r), err)
	}
	v := s.services[auth.Service]
	if v == nil {
		return nil, nil, &awsproto.Error{Status: http.StatusBadRequest, Code: "UnknownService",
			Message: "the sandbox does not serve signing name " + auth.Service}
	}
	now := s.Env.Clock.Now()
	cred, err := s.Env.IAM.Lookup(auth.AccessKeyID, r.Header.Get("X-Amz-Security-Token"), now)
	if err != nil {
		return nil, v, authError(v.Protocol(), err)
	}
	if err := sigv4.Verify(r, body, auth, cred.Secret, auth.Service == "s3", time.Now()); err != nil {
		return nil, v, authError(v.Protocol(), err)
	}
	op, perr := v.Operation(r, body)
	if perr != nil {
		return nil, v, perr
	}
	return &svc.Call{Req: r, Body: body, Op: op, Region: auth.Region, Caller: cred.Principal,
		RequestID: rid, Now: now, SourceIP: sourceIP(r), UserAgent: r.UserAgent()}, v, nil
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func protocolOf(v svc.Service, r *http.Request) awsproto.Protocol {
	if v != nil {
		return v.Protocol()
	}
	return guessProtocol(r)
}

func guessProtocol(r *http.Request) awsproto.Protocol {
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		return awsproto.JSON11
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		return awsproto.Query
	}
	return awsproto.RestXML
}

// Listen serves s on addr (e.g. 127.0.0.1:0) in the background; callers that want the server on a
// loopback listener; it returns the base URL.
func (s *Server) Listen(ctx context.Context, addr string) (string, func() error, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	stop := func() error {
		// Shutdown waits for in-flight requests; connections a client
		// opened but never used count as busy for 5 s, so after a short
		// grace period the rest are closed outright.
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err := hs.Shutdown(sctx)
		if errors.Is(err, context.DeadlineExceeded) {
			err = hs.Close()
		}
		return errors.Join(err, s.Close())
	}
	return "http://" + ln.Addr().String(), stop, nil
}
