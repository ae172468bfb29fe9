package sandboxrun

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/configsvc"
	"github.com/byok-dev/byok/internal/sandbox/eventssvc"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	kmssvc "github.com/byok-dev/byok/internal/sandbox/kmssvc"
	"github.com/byok-dev/byok/internal/sandbox/orgsvc"
	"github.com/byok-dev/byok/internal/sandbox/s3controlsvc"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
)

// DefaultRegion is the Region clients are configured for when Options
// names none (the demo estate's Region).
const DefaultRegion = "eu-west-1"

// ErrNotLoopback is returned by Start for a listen address that is not a
// loopback address while Options.AllowRemote is false: the sandbox's
// credentials are printed and its admin endpoint is unauthenticated.
var ErrNotLoopback = errors.New("listen address is not loopback")

// Options configure a Sandbox.
type Options struct {
	StatePath     string // "" keeps state in memory
	Logger        *slog.Logger
	Region        string        // DefaultRegion when empty
	EnforceQuotas bool          // throttle at AWS's request quotas
	Latency       time.Duration // added to every call
	Faults        []faults.Rule // injected errors and latency
	AllowRemote   bool          // permit a non-loopback listen address
}

// Sandbox is a sandbox server with every service registered. Create with
// New, then Start; Close when done.
type Sandbox struct {
	Server *sandbox.Server
	KMS    *kmssvc.Service
	// S3 and Config are exposed for seeding legacy buckets and emitting
	// Config rule events in-process.
	S3            *s3svc.Service
	S3Control     *s3controlsvc.Service
	ConfigService *configsvc.Service
	// Organizations holds the organization SetOrganization installs.
	Organizations *orgsvc.Service
	// Events exposes EventBridge's rule metrics (delivery failures).
	Events *eventssvc.Service

	opts      Options
	mu        sync.Mutex
	url       string
	stop      func() error
	closeOnce sync.Once
	closeErr  error
}

// New opens the state (replaying an existing file) and registers every
// service. It does not listen yet.
func New(opts Options) (*Sandbox, error) {
	if opts.Region == "" {
		opts.Region = DefaultRegion
	}
	srv, err := sandbox.New(sandbox.Options{StatePath: opts.StatePath, Logger: opts.Logger, StageNewState: true,
		Remote: opts.AllowRemote})
	if err != nil {
		return nil, fmt.Errorf("open sandbox: %w", err)
	}
	k, err := registerServices(srv)
	if err != nil {
		return nil, errors.Join(err, srv.Close())
	}
	sb := &Sandbox{Server: srv, KMS: k.kms, S3: k.s3, S3Control: k.s3ctl, ConfigService: k.config, Organizations: k.org, opts: opts}
	sb.Events = k.events
	sb.SetFaults(opts.Faults, opts.EnforceQuotas)
	return sb, nil
}

// Start listens on listen (host:port; port 0 picks a free one) and serves
// in the background until Close. It returns the endpoint URL.
func (s *Sandbox) Start(ctx context.Context, listen string) (string, error) {
	if err := checkListen(listen, s.opts.AllowRemote); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		return "", fmt.Errorf("sandbox already listening on %s", s.url)
	}
	url, stop, err := s.Server.Listen(ctx, listen)
	if err != nil {
		return "", fmt.Errorf("listen on %s: %w", listen, err)
	}
	s.url, s.stop = url, stop
	return url, nil
}

func checkListen(listen string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("listen address %q: %w (want host:port, e.g. 127.0.0.1:4566)", listen, err)
	}
	if allowRemote || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%w: %q; use 127.0.0.1 or pass --allow-remote to expose the sandbox's credentials and admin endpoint", ErrNotLoopback, listen)
}

// URL is the endpoint URL ("" before Start).
func (s *Sandbox) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Region is the Region clients are configured for.
func (s *Sandbox) Region() string { return s.opts.Region }

// Close stops serving and flushes the state. Safe to call more than once.
func (s *Sandbox) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		stop := s.stop
		s.stop = func() error { return nil }
		s.mu.Unlock()
		s.S3Control.Close()
		s.KMS.Close()
		if stop == nil {
			stop = s.Server.Close
		}
		s.closeErr = stop()
	})
	return s.closeErr
}
