package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Kinds of alert.
const (
	KindExpiring    = "material-expiring"
	KindRunFailed   = "run-failed"
	KindNewNonCompl = "new-non-compliant"
	KindAuditBroken = "audit-chain-broken"
	KindHSMDown     = "hsm-unreachable"
	logDestination  = "destination"
	logAlertKey     = "alert_key"
	logAlertKind    = "alert_kind"
)

// Alert is one condition. Key identifies the condition (e.g. the key alias
// and material ID); Summary is its current wording: a change of Summary is
// a change of the condition and alerts again.
type Alert struct {
	Kind     string    `json:"kind"`
	Key      string    `json:"key"`
	Severity string    `json:"severity"` // critical, warning
	Summary  string    `json:"summary"`
	Detail   string    `json:"detail,omitempty"`
	Fix      string    `json:"fix,omitempty"`
	At       time.Time `json:"at"`
}

// Sender delivers an alert to one destination.
type Sender interface {
	Name() string
	Send(ctx context.Context, a Alert) error
}

// Notifier announces each condition once per destination until it changes.
type Notifier struct {
	Senders []Sender
	Logger  *slog.Logger

	mu   sync.Mutex
	sent map[string]map[string]string // destination → condition → summary announced
	hist []Alert
}

// Sync takes the conditions of one kind active now: it sends those not yet
// announced (or whose summary changed) to each destination, and forgets
// the conditions of that kind that are no longer active, so they alert
// again if they come back. A failed delivery is retried at the next Sync.
func (n *Notifier) Sync(ctx context.Context, kind string, active []Alert) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.sent == nil {
		n.sent = map[string]map[string]string{}
	}
	var errs []error
	for _, s := range n.Senders {
		errs = append(errs, n.syncDest(ctx, s, kind, active))
	}
	for _, a := range active {
		if !slices.ContainsFunc(n.hist, func(h Alert) bool { return h.Key == a.Key && h.Summary == a.Summary }) {
			n.hist = append(n.hist, a)
		}
	}
	if len(n.hist) > 200 {
		n.hist = n.hist[len(n.hist)-200:]
	}
	return errors.Join(errs...)
}

func (n *Notifier) syncDest(ctx context.Context, s Sender, kind string, active []Alert) error {
	sent := n.sent[s.Name()]
	if sent == nil {
		sent = map[string]string{}
		n.sent[s.Name()] = sent
	}
	live := map[string]bool{}
	var errs []error
	for _, a := range active {
		k := kind + "|" + a.Key
		live[k] = true
		if sent[k] == a.Summary {
			continue
		}
		if err := s.Send(ctx, a); err != nil {
			errs = append(errs, fmt.Errorf("alert %s to %s: %w", a.Kind, s.Name(), err))
			continue
		}
		sent[k] = a.Summary
		if n.Logger != nil {
			n.Logger.Info("alert sent", logDestination, s.Name(), logAlertKind, a.Kind, logAlertKey, a.Key)
		}
	}
	prefix := kind + "|"
	for k := range sent {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix && !live[k] {
			delete(sent, k)
		}
	}
	return errors.Join(errs...)
}

// Recent is the alerts raised lately (newest last), for the dashboard.
func (n *Notifier) Recent() []Alert {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.hist)
}
