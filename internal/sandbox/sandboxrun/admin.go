package sandboxrun

import (
	"time"

	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/faults"
)

// Now is the sandbox clock.
func (s *Sandbox) Now() time.Time { return s.Server.Env.Clock.Now() }

// AdvanceClock moves the sandbox clock by d (backwards when negative), so
// material age, ValidTo, session expiry and import-token expiry can be
// tested without waiting.
func (s *Sandbox) AdvanceClock(d time.Duration) { s.Server.Env.Clock.Advance(d) }

// SetFaults replaces the injected fault rules (the Options' latency rule is
// kept first) and switches AWS request-quota throttling.
func (s *Sandbox) SetFaults(rules []faults.Rule, enforceQuotas bool) {
	var all []faults.Rule
	if s.opts.Latency > 0 {
		all = append(all, faults.Rule{Latency: s.opts.Latency})
	}
	s.Server.Faults.SetRules(append(all, rules...))
	s.Server.Faults.EnforceQuotas(enforceQuotas)
}

// Counters counts authenticated calls per account, service and operation.
func (s *Sandbox) Counters() *sandbox.Counters { return s.Server.Counters }

// SuspendFaults switches injected faults, latency and quota throttling off
// until resume is called; seed.Apply uses it so seeding is never traffic.
func (s *Sandbox) SuspendFaults() (resume func()) { return s.Server.Faults.Suspend() }
