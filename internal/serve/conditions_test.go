package serve

import (
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/serve/alert"
	"github.com/byok-dev/byok/internal/serve/view"
)

// TestConditions: which state raises which alert, keyed so that the same
// condition keeps the same key and summary (and so alerts once).
func TestConditions(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	exp := view.Key{Alias: "alias/dev/s3", Expiring: []view.Expiring{{MaterialID: "m1", ValidTo: now.Add(48 * time.Hour), Remedy: "re-import"}}}
	tests := map[string]struct {
		st       view.State
		build    func(view.State) []alert.Alert
		wantKeys []string
	}{
		"expiring":          {view.State{Now: now, Keys: []view.Key{exp, {Alias: "alias/dev/rds"}}}, expiringAlerts, []string{"alias/dev/s3|m1"}},
		"nothing expiring":  {view.State{Now: now, Keys: []view.Key{{Alias: "alias/dev/rds"}}}, expiringAlerts, nil},
		"failed run":        {view.State{Now: now, Runs: []view.Run{{ID: "r1", Status: "failed"}, {ID: "r2", Status: "succeeded"}, {ID: "r3", Status: "stopped"}}}, runAlerts, []string{"r1", "r3"}},
		"audit broken":      {view.State{Now: now, Audit: view.Audit{Checked: now, OK: false, Problems: []string{"seq 3: hash"}}}, auditAlerts, []string{"audit-chain"}},
		"audit intact":      {view.State{Now: now, Audit: view.Audit{Checked: now, OK: true}}, auditAlerts, nil},
		"audit not checked": {view.State{Now: now}, auditAlerts, nil},
		"hsm down":          {view.State{Now: now, HSMErr: "no token"}, hsmAlerts, []string{"hsm"}},
		"hsm up":            {view.State{Now: now}, hsmAlerts, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := tc.build(tc.st)
			if len(got) != len(tc.wantKeys) {
				t.Fatalf("alerts %+v, want keys %v", got, tc.wantKeys)
			}
			for i, a := range got {
				if a.Key != tc.wantKeys[i] || a.Summary == "" || a.Fix == "" {
					t.Fatalf("alert %+v, want key %s with a summary and a fix", a, tc.wantKeys[i])
				}
			}
		})
	}
	// A day later the expiring summary is the same: it names a date, not a countdown.
	a := expiringAlerts(view.State{Now: now, Keys: []view.Key{exp}})[0]
	b := expiringAlerts(view.State{Now: now.Add(24 * time.Hour), Keys: []view.Key{exp}})[0]
	if a.Summary != b.Summary {
		t.Fatalf("the summary changes with time: %q vs %q", a.Summary, b.Summary)
	}
	nc := newNonCompliantAlerts([]string{"s3 bucket-a", "rds db-1"}, now)
	if len(nc) != 1 || !strings.Contains(nc[0].Summary, "2 resource(s)") || newNonCompliantAlerts(nil, now) != nil {
		t.Fatalf("new non-compliant alerts: %+v", nc)
	}
}
