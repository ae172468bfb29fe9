package eventssvc

import (
	"time"

	"github.com/byok-dev/byok/internal/sandbox/trail"
)

// ReplayWindow is how far back, in sandbox time, a starting sandbox routes
// recorded CloudTrail events again. Delivery runs synchronously after the
// event is stored, so a process killed in between leaves only the last
// moments' events undelivered; delivery is idempotent (event IDs derive
// from the CloudTrail event ID, and a log stream that already holds its
// event is not written again), so replaying delivered events is harmless.
const ReplayWindow = 5 * time.Minute

// replay routes again the events of the last ReplayWindow recorded in the
// accounts and Regions that have enabled rules.
func (s *Service) replay() {
	if s.enabled.Load() == 0 {
		return
	}
	since := s.env.Clock.Now().Add(-ReplayWindow)
	for _, sc := range s.scopes() {
		var recent []trail.Event
		s.env.Trail.Visible(sc.account, sc.region, func(e trail.Event) bool {
			if e.EventTime.Before(since) {
				return false
			}
			recent = append(recent, e)
			return true
		})
		for i := len(recent) - 1; i >= 0; i-- { // oldest first, as recorded
			if recent[i].EventType == "AwsApiCall" {
				s.route(recent[i], sc.account)
			}
		}
	}
}

// scopes lists the accounts and Regions with at least one enabled rule.
func (s *Service) scopes() []scope {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []scope
	for sc, rs := range s.rules {
		for _, r := range rs {
			if enabled(r.State) {
				out = append(out, sc)
				break
			}
		}
	}
	return out
}
