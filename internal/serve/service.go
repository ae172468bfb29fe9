package serve

import (
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/serve/alert"
	"github.com/byok-dev/byok/internal/serve/view"
)

// Log attribute keys.
const (
	logJob   = "job"
	logRun   = "run_id"
	logError = "error"
	logAlias = "alias"
	logWhen  = "at"
)

// Service is byok serve's state and scheduler. Create with New.
type Service struct {
	sched    estate.Schedule
	deps     Deps
	clock    Clock
	log      *slog.Logger
	notifier *alert.Notifier

	mu    sync.RWMutex
	st    view.State
	ready bool
	jobs  map[string]*view.Job
	tried time.Time // the window opening whose first rotation ran

	poke    chan struct{}
	rotMu   sync.Mutex // one rotation request at a time (scheduler or action)
	onEvent func(ev string)
}

// Job names.
const (
	JobRotate = "rotate"
	JobScan   = "scan"
	JobExpiry = "expiry-check"
)

// New returns a service. sched is the estate's schedule (defaults filled
// by New); n may have no senders.
func New(sched estate.Schedule, deps Deps, clock Clock, n *alert.Notifier, log *slog.Logger) (*Service, error) {
	if deps.Planner == nil || deps.Scanner == nil || deps.Rotator == nil || deps.Reader == nil || clock == nil {
		return nil, errors.New("serve: every dependency is required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if n == nil {
		n = &alert.Notifier{}
	}
	s := &Service{sched: sched.WithDefaults(), deps: deps, clock: clock, log: log, notifier: n,
		poke: make(chan struct{}, 1), jobs: map[string]*view.Job{}}
	for _, j := range []string{JobRotate, JobScan, JobExpiry} {
		s.jobs[j] = &view.Job{Name: j}
	}
	for _, w := range s.sched.Windows {
		s.st.Windows = append(s.st.Windows, w.String())
	}
	return s, nil
}

// State returns a copy of what the service knows now.
func (s *Service) State() view.State {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	st.Now = s.clock.Now()
	st.Jobs = make([]view.Job, 0, len(s.jobs))
	for _, name := range []string{JobRotate, JobScan, JobExpiry} {
		st.Jobs = append(st.Jobs, *s.jobs[name])
	}
	return st
}

// Ready reports whether the first expiry check and scan completed.
func (s *Service) Ready() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ready
}

// Alerts are the alerts raised lately.
func (s *Service) Alerts() []alert.Alert { return s.notifier.Recent() }

// Poke makes the scheduler look at the clock again now (after the sandbox
// clock moved, or an action).
func (s *Service) Poke() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}

// OnEvent registers a callback told "rotate", "scan" and "expiry-check"
// after each job ran (tests wait on it instead of sleeping).
func (s *Service) OnEvent(f func(ev string)) { s.onEvent = f }

func (s *Service) event(ev string) {
	if s.onEvent != nil {
		s.onEvent(ev)
	}
}

func (s *Service) update(fn func(st *view.State)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(&s.st)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
