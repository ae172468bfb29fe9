package serve

import (
	"context"
	"time"

	"github.com/byok-dev/byok/internal/serve/schedule"
)

// maxWait bounds a scheduler sleep, so a clock that jumps (NTP, the
// sandbox admin endpoint) is noticed within it even without Poke.
const maxWait = 30 * time.Second

// Run resumes the runs the service left stopped, runs the first expiry
// check and scan, then the scheduler until ctx ends. A rotation in flight
// when ctx ends stops at its next step boundary (the engine's contract) and
// is resumed at the next start.
func (s *Service) Run(ctx context.Context) error {
	if ids, err := s.deps.Rotator.ResumeStopped(ctx); err != nil {
		s.log.Warn("resume stopped runs", logError, err)
	} else {
		for _, id := range ids {
			s.log.Info("resumed run", logRun, id)
		}
	}
	s.runJob(ctx, JobExpiry, s.expiryCheck)
	s.runJob(ctx, JobScan, s.scan)
	s.mu.Lock()
	s.ready = true
	s.mu.Unlock()
	for {
		now := s.clock.Now()
		next := s.plan(now)
		if !next.After(now) {
			s.runDue(ctx, now)
			continue
		}
		wait := min(next.Sub(now), maxWait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-s.poke:
			t.Stop()
		case <-t.C:
		}
	}
}

// plan sets each job's next time and returns the earliest.
func (s *Service) plan(now time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	scan, exp, rot := s.jobs[JobScan], s.jobs[JobExpiry], s.jobs[JobRotate]
	scan.Next = time.Time{}
	if s.sched.ScanInterval > 0 {
		scan.Next = after(scan.Last, s.sched.ScanInterval, now)
	}
	exp.Next = after(exp.Last, s.sched.ExpiryCheckInterval, now)
	rot.Next = s.nextRotation(now)
	next := exp.Next
	for _, t := range []time.Time{scan.Next, rot.Next} {
		if !t.IsZero() && t.Before(next) {
			next = t
		}
	}
	if start, _, i := schedule.Next(s.sched.Windows, now); i >= 0 {
		s.st.NextWindow = start.Format("Mon 2006-01-02 15:04 MST") + " (" + s.sched.Windows[i].String() + ")"
	}
	return next
}

// after is when a job last run at last runs again: now when it never ran.
func after(last time.Time, every time.Duration, now time.Time) time.Time {
	if last.IsZero() {
		return now
	}
	return last.Add(every)
}

// nextRotation: inside an opening with room for one key's rotation, at its
// start and then when the next key falls due (or, for keys due but not
// rotated, after an expiry-check interval); else at the next opening.
func (s *Service) nextRotation(now time.Time) time.Time {
	ws := s.sched.Windows
	if len(ws) == 0 {
		return time.Time{}
	}
	start, end, _, ok := schedule.ActiveAny(ws, now)
	latest := end.Add(-s.sched.KeyRotationTime)
	if !ok || now.After(latest) {
		from := now
		if ok {
			from = end
		}
		st, _, _ := schedule.Next(ws, from.Add(-time.Nanosecond))
		if st.Before(now) {
			st, _, _ = schedule.Next(ws, now)
		}
		return st
	}
	if !s.tried.Equal(start) {
		return now
	}
	next := s.nextKeyDue(now)
	if !next.IsZero() && !next.After(latest) {
		return next
	}
	st, _, _ := schedule.Next(ws, end.Add(-time.Nanosecond))
	return st
}

// nextKeyDue is when the next key falls due; a key already due that the
// last attempt did not rotate is retried an expiry-check interval later.
func (s *Service) nextKeyDue(now time.Time) time.Time {
	var next time.Time
	for _, k := range s.st.Keys {
		t := k.NextDue()
		if k.Due {
			t = s.jobs[JobRotate].Last.Add(s.sched.ExpiryCheckInterval)
		}
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	return next
}

func (s *Service) runDue(ctx context.Context, now time.Time) {
	s.mu.RLock()
	scan, exp, rot := s.jobs[JobScan].Next, s.jobs[JobExpiry].Next, s.jobs[JobRotate].Next
	s.mu.RUnlock()
	if !rot.IsZero() && !rot.After(now) {
		if start, _, _, ok := schedule.ActiveAny(s.sched.Windows, now); ok {
			s.mu.Lock()
			s.tried = start
			s.mu.Unlock()
		}
		s.runJob(ctx, JobRotate, s.rotateDue)
	}
	if !exp.After(now) {
		s.runJob(ctx, JobExpiry, s.expiryCheck)
	}
	if !scan.IsZero() && !scan.After(now) {
		s.runJob(ctx, JobScan, s.scan)
	}
}

func (s *Service) runJob(ctx context.Context, name string, fn func(context.Context) error) {
	if ctx.Err() != nil {
		return
	}
	at := s.clock.Now()
	err := fn(ctx)
	s.mu.Lock()
	j := s.jobs[name]
	j.Last, j.LastError = at, errText(err)
	s.mu.Unlock()
	s.plan(s.clock.Now()) // the job's next time is known before anyone hears it ran
	if err != nil {
		s.log.Warn("job failed", logJob, name, logError, err)
	} else {
		s.log.Info("job done", logJob, name, logWhen, at)
	}
	s.event(name)
}
