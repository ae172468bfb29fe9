package serve

import (
	"context"
	"errors"
	"fmt"

	"github.com/byok-dev/byok/internal/serve/view"
)

// refreshKeys plans every key; on failure the last keys stay, marked stale.
func (s *Service) refreshKeys(ctx context.Context) error {
	now := s.clock.Now()
	keys, err := s.deps.Planner.Plan(ctx, now)
	s.update(func(st *view.State) {
		st.KeysErr = errText(err)
		if err == nil {
			st.Keys, st.KeysAt = keys, now
		}
	})
	return err
}

func (s *Service) refreshRuns(ctx context.Context) error {
	runs, err := s.deps.Reader.Runs(ctx)
	s.update(func(st *view.State) {
		st.RunsErr = errText(err)
		if err != nil {
			return
		}
		st.Runs = runs
		for _, r := range runs {
			if r.Status == "succeeded" && r.Updated.After(st.LastRotation) {
				st.LastRotation = r.Updated
			}
		}
	})
	return err
}

func (s *Service) refreshAudit(ctx context.Context) error {
	a, err := s.deps.Reader.Audit(ctx)
	s.update(func(st *view.State) {
		st.AuditErr = errText(err)
		if err == nil {
			st.Audit = a
		}
	})
	return err
}

func (s *Service) refreshHSM(ctx context.Context) error {
	err := s.deps.Reader.HSM(ctx)
	s.update(func(st *view.State) { st.HSMErr, st.HSMAt = errText(err), s.clock.Now() })
	return err
}

func (s *Service) refreshScans(ctx context.Context) error {
	pts, err := s.deps.Reader.Scans(ctx)
	if err == nil {
		s.update(func(st *view.State) { st.Scans = pts })
	}
	return err
}

// expiryCheck re-reads keys, runs, the audit chain and the HSM, and syncs
// the alerts that depend on them.
func (s *Service) expiryCheck(ctx context.Context) error {
	errs := []error{s.refreshKeys(ctx), s.refreshRuns(ctx), s.refreshAudit(ctx), s.refreshHSM(ctx)}
	st := s.State()
	if st.KeysErr == "" {
		errs = append(errs, s.notifier.Sync(ctx, kindExpiring, expiringAlerts(st)))
	}
	if st.RunsErr == "" {
		errs = append(errs, s.notifier.Sync(ctx, kindRun, runAlerts(st)))
	}
	if st.AuditErr == "" {
		errs = append(errs, s.notifier.Sync(ctx, kindAudit, auditAlerts(st)))
	}
	errs = append(errs, s.notifier.Sync(ctx, kindHSM, hsmAlerts(st)))
	return joinNonNil(errs)
}

// scan runs and saves a scan, then alerts on new non-compliant resources.
func (s *Service) scan(ctx context.Context) error {
	now := s.clock.Now()
	res, err := s.deps.Scanner.Scan(ctx, now)
	s.update(func(st *view.State) {
		st.ScanErr = errText(err)
		if err == nil {
			rep := res.Report
			st.Scan, st.ScanAt, st.Counts = &rep, now, view.Count(&rep)
		}
	})
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	_ = s.refreshScans(ctx)
	return s.notifier.Sync(ctx, kindNewNC, newNonCompliantAlerts(res.NewNonCompliant, now))
}

// rotateDue is the rotation job: rotate what is due, then refresh.
func (s *Service) rotateDue(ctx context.Context) error {
	s.rotMu.Lock()
	defer s.rotMu.Unlock()
	res, err := s.deps.Rotator.RotateDue(ctx, s.clock.Now())
	for _, id := range res.RunIDs {
		s.log.Info("rotation run", logRun, id)
	}
	_ = s.refreshKeys(context.WithoutCancel(ctx))
	_ = s.refreshRuns(context.WithoutCancel(ctx))
	_ = s.refreshAudit(context.WithoutCancel(ctx))
	st := s.State()
	_ = s.notifier.Sync(context.WithoutCancel(ctx), kindRun, runAlerts(st))
	return err
}

// RotateKey is the dashboard's "rotate a due key now" action.
func (s *Service) RotateKey(ctx context.Context, alias, requestedBy string) (RotateResult, error) {
	s.rotMu.Lock()
	defer s.rotMu.Unlock()
	res, err := s.deps.Rotator.RotateKey(ctx, alias, requestedBy, s.clock.Now())
	_ = s.refreshKeys(context.WithoutCancel(ctx))
	_ = s.refreshRuns(context.WithoutCancel(ctx))
	_ = s.refreshAudit(context.WithoutCancel(ctx))
	return res, err
}

// ScanNow is the dashboard's "scan now" action.
func (s *Service) ScanNow(ctx context.Context) error { return s.scan(ctx) }

func joinNonNil(errs []error) error { return errors.Join(errs...) }
