package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// Result is a finished demo: its report and where it was written. With
// Options.Keep the sandbox and token stay up until Close.
type Result struct {
	Report   Report
	JSONPath string
	HTMLPath string
	w        *world
}

// Exports are the environment settings that point byok (and the AWS CLI)
// at the kept sandbox as the Security account, with the demo's token and
// state store. Empty unless Options.Keep.
func (r *Result) Exports() []string {
	if r.w == nil || !r.w.opts.Keep {
		return nil
	}
	out := r.w.sb.Exports(r.w.est.SecurityAccount)
	return append(out, confEnv+"="+r.w.token.conf, "BYOK_HSM="+r.w.token.keptURI(), store.EnvStatePath+"="+r.w.store.Path())
}

// Close stops the sandbox and removes the token files kept for --keep.
func (r *Result) Close() error {
	if r.w == nil {
		return nil
	}
	w := r.w
	r.w = nil
	return w.close()
}

// story is one demo run in progress.
type story struct {
	w   *world
	out *printer
	rep *Report

	before      report.Report
	due         []estate.Key
	reimport    []rotation.Plan        // plans with expiring material byok can re-import
	appData     map[string][]appRecord // by alias: data written before the rotation
	inPlaceRun  store.RunID
	newKeyRun   store.RunID
	migrateRuns []store.RunID
	rdsBefore   map[string]rdsFacts // by resource ARN: name and endpoint before the migration
	retired     []retiredKey        // the keys the new-key rotation superseded
	rotatedKeys []rotatedKey
}

// retiredKey is a key the new-key rotation superseded: its alias moved to
// NewKeyID.
type retiredKey struct{ Alias, KeyARN, NewKeyID string }

// isRetired: arn is a key the new-key rotation superseded.
func (s *story) isRetired(arn string) bool {
	for _, r := range s.retired {
		if r.KeyARN == arn {
			return true
		}
	}
	return false
}

// retiredARNs are the superseded keys' ARNs.
func (s *story) retiredARNs() []string {
	out := make([]string, len(s.retired))
	for i, r := range s.retired {
		out[i] = r.KeyARN
	}
	return out
}

// Run tells the whole story. It returns the Result (report written) even
// when a phase fails; the error then names the phase.
func Run(ctx context.Context, o Options) (*Result, error) {
	o = o.withDefaults()
	s := &story{w: &world{opts: o}, out: newPrinter(o.Out, o.Color),
		rep: &Report{Version: ReportVersion, ByokVersion: o.Version, Started: time.Now().UTC()}, appData: map[string][]appRecord{}}
	res := &Result{w: s.w}
	err := s.run(ctx)
	s.rep.DurationMS = time.Since(s.rep.Started).Milliseconds()
	s.rep.OK = err == nil
	res.Report = *s.rep
	if s.w.engine != nil { // stand-up succeeded: there is something to report
		var werr error
		res.JSONPath, res.HTMLPath, werr = writeReports(o.ReportDir, s.rep)
		err = errors.Join(err, werr)
		if werr == nil {
			s.out.printf("\nReports: %s\n         %s\n", res.JSONPath, res.HTMLPath)
		}
	}
	if err != nil || !o.Keep {
		err = errors.Join(err, res.Close())
	}
	return res, err
}

func (s *story) run(ctx context.Context) error {
	if err := prepareDir(s.w.opts.Dir); err != nil {
		return err
	}
	steps := []struct {
		name, proves string
		fn           func(context.Context) error
	}{
		{"stand up", "the seed's architecture runs locally: Security, dev and prod accounts, keys by env × service, resources on them, an HSM token", s.standUp},
		{"scan", "byok finds every resource that breaks the rotation policy, across accounts, and says why", s.scanBefore},
		{"plan", "byok reads each key's material history in the Security account and knows which keys are due", s.plan},
		{"rotate in place", "expiring material byok imported is re-imported from its HSM object without expiry (same material, so old data decrypts), and overdue keys get new HSM-born material in place (same key ID, no alias switch), journaled step by step", s.rotateInPlace},
		{"verify from dev and prod", "data written before the rotation still decrypts from the consumer accounts, and new data uses the new material", s.verify},
		{"CloudTrail watch", "no consumer saw a failed KMS call because of the rotation, and the watch does see a failure when there is one", s.watch},
		{"new-key rotation", "the legacy strategy works (new key, alias moved, old key still decrypts) and byok shows what it leaves behind", s.newKey},
		{"migrate", "byok migrate plan finds what the new-key rotation left on the old keys (KEY_SUPERSEDED) and byok migrate apply moves it onto the new keys as journaled runs (the online bucket first, then the databases, writers-stopped confirmed by the demo as the operator); the RDS identifiers and endpoints stay the original ones, every archive object is copied onto the new S3 key", s.migrateResources},
		{"retire the old keys", "once nothing uses the old keys (the owner deleted the originals kept for rollback, the quiet period passed), byok retire disables each as a journaled, audited run", s.retireOldKey},
		{"remediate (resource owner, not byok)", "the findings no key rotation can fix (buckets and tables on AWS managed or owned keys, unencrypted, on a key outside the estate or a bare alias) are fixed by their owners as the scan said; byok never changes resources", s.remediate},
		{"scan again", "the overdue, expiring, owner-fixed and migrated findings are gone: 0 NON_COMPLIANT, nothing on the retired key", s.scanAfter},
		{"still readable", "every S3 object reads back by GetObject and every canary decrypts from its consumer account, none under a retired (disabled) key, the migrated archive's on the new key", s.readable},
		{"audit verify", "every rotation, migration and retirement left a hash-chained audit entry and the chain is intact", s.auditVerify},
	}
	for _, st := range steps {
		if err := s.phase(ctx, st.name, st.proves, st.fn); err != nil {
			return err
		}
	}
	s.out.printf("\n%s\n", s.out.paint(sgrBold+sgrGreen, fmt.Sprintf("demo complete in %.1fs: every phase proved what it claims", time.Since(s.rep.Started).Seconds())))
	return nil
}

// phase runs one phase, prints its header and result, and records it.
func (s *story) phase(ctx context.Context, name, proves string, fn func(context.Context) error) error {
	s.out.header(name, proves)
	t0 := time.Now()
	err := fn(ctx)
	ph := Phase{Name: name, Proves: proves, DurationMS: time.Since(t0).Milliseconds(), OK: err == nil}
	if err != nil {
		ph.Error = err.Error()
		s.out.bad("%v", err)
	} else {
		s.out.printf("    %s\n", s.out.paint(sgrDim, fmt.Sprintf("(%.2fs)", time.Since(t0).Seconds())))
	}
	s.rep.Phases = append(s.rep.Phases, ph)
	if err != nil {
		return &PhaseError{Phase: name, Err: err}
	}
	return nil
}
