package eventssvc

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sync/atomic"

	"github.com/byok-dev/byok/internal/sandbox/eventpattern"
)

const kindRule = "events.rule"

// Rule states (PutRule State).
const (
	StateEnabled     = "ENABLED"
	StateDisabled    = "DISABLED"
	StateAllMgmt     = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
	defaultBus       = "default"
	MaxRulesPerBus   = 300
	MaxTargets       = 5
	MaxTargetsPerPut = 10
)

var nameRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)

// rule is one rule on an account's default bus, with its targets.
type rule struct {
	Account     string   `json:"account"`
	Region      string   `json:"region"`
	Name        string   `json:"name"`
	Pattern     string   `json:"pattern"`
	State       string   `json:"state"`
	Description string   `json:"description,omitempty"`
	Targets     []target `json:"targets,omitempty"`
	// Since is when the rule or its targets last changed (epoch ms): a
	// replay after a restart delivers only events from then on.
	Since int64 `json:"since"`

	parsed *eventpattern.Pattern
	m      *metrics // shared by the rule's successive versions
}

// target is one rule target as PutTargets stores it.
type target struct {
	ID  string `json:"Id"`
	Arn string `json:"Arn"`
}

// metrics are the rule's CloudWatch metrics (AWS/Events): events matched,
// target invocations attempted and those that failed.
type metrics struct {
	matched, invocations, failed atomic.Int64
}

// Metrics is a snapshot of one rule's metrics.
type Metrics struct {
	Account           string `json:"account"`
	Region            string `json:"region"`
	Rule              string `json:"rule"`
	MatchedEvents     int64  `json:"matchedEvents"`
	Invocations       int64  `json:"invocations"`
	FailedInvocations int64  `json:"failedInvocations"`
}

func (r *rule) id() string { return r.Account + "/" + r.Region + "/" + r.Name }

func (r *rule) arn(partition string) string {
	return "arn:" + partition + ":events:" + r.Region + ":" + r.Account + ":rule/" + r.Name
}

func enabled(state string) bool { return state == StateEnabled || state == StateAllMgmt }

func (s *Service) load() error {
	return s.env.State.Each(kindRule, func(_ string, raw json.RawMessage) error {
		var r rule
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("load eventbridge rule: %w", err)
		}
		p, err := eventpattern.Parse(r.Pattern)
		if err != nil {
			return fmt.Errorf("load eventbridge rule %s: %w", r.Name, err)
		}
		r.parsed, r.m = p, &metrics{}
		sc := scope{r.Account, r.Region}
		if s.rules[sc] == nil {
			s.rules[sc] = map[string]*rule{}
		}
		s.rules[sc][r.Name] = &r
		if enabled(r.State) {
			s.enabled.Add(1)
		}
		return nil
	})
}

// persistLocked writes r; caller holds s.mu.
func (s *Service) persistLocked(r *rule) error {
	return s.env.State.Put(kindRule, r.id(), r)
}

// Metrics lists every rule's metrics.
func (s *Service) Metrics() []Metrics {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Metrics
	for _, rs := range s.rules {
		for _, r := range rs {
			out = append(out, Metrics{Account: r.Account, Region: r.Region, Rule: r.Name,
				MatchedEvents: r.m.matched.Load(), Invocations: r.m.invocations.Load(), FailedInvocations: r.m.failed.Load()})
		}
	}
	return out
}
