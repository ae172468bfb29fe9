package serve

import (
	"fmt"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/serve/alert"
	"github.com/byok-dev/byok/internal/serve/view"
)

const (
	kindExpiring = alert.KindExpiring
	kindRun      = alert.KindRunFailed
	kindNewNC    = alert.KindNewNonCompl
	kindAudit    = alert.KindAuditBroken
	kindHSM      = alert.KindHSMDown
)

// expiringAlerts: one per material expiring within the warning window.
// The summary names the date, not a countdown, so it does not change daily.
func expiringAlerts(st view.State) []alert.Alert {
	var out []alert.Alert
	for _, k := range st.Keys {
		for _, m := range k.Expiring {
			out = append(out, alert.Alert{Kind: kindExpiring, Key: k.Alias + "|" + m.MaterialID, Severity: "critical", At: st.Now,
				Summary: fmt.Sprintf("%s: key material %s expires %s; when it expires the whole key stops working",
					k.Alias, m.MaterialID, m.ValidTo.UTC().Format("2006-01-02 15:04 MST")),
				Detail: fmt.Sprintf("key %s, material state %s", k.ARN, m.State), Fix: m.Remedy})
		}
	}
	return out
}

// runAlerts: one per run that failed or stopped (until resumed to success).
func runAlerts(st view.State) []alert.Alert {
	var out []alert.Alert
	for _, r := range st.Runs {
		if r.Status != "failed" && r.Status != "stopped" {
			continue
		}
		out = append(out, alert.Alert{Kind: kindRun, Key: r.ID, Severity: "critical", At: st.Now,
			Summary: fmt.Sprintf("rotation run %s %s", r.ID, r.Status), Detail: r.Error,
			Fix: "byok runs show " + r.ID + " shows the step each key reached; byok resume " + r.ID + " continues it"})
	}
	return out
}

func auditAlerts(st view.State) []alert.Alert {
	if st.Audit.OK || st.Audit.Checked.IsZero() {
		return nil
	}
	return []alert.Alert{{Kind: kindAudit, Key: "audit-chain", Severity: "critical", At: st.Now,
		Summary: "the audit chain is broken", Detail: strings.Join(st.Audit.Problems, "; "),
		Fix: "byok audit verify names the first broken entry; restore the state file from a backup and compare"}}
}

func hsmAlerts(st view.State) []alert.Alert {
	if st.HSMErr == "" {
		return nil
	}
	return []alert.Alert{{Kind: kindHSM, Key: "hsm", Severity: "critical", At: st.Now,
		Summary: "the HSM is unreachable; no rotation can run", Detail: st.HSMErr,
		Fix: "check the token is present and the PIN source set (byok hsm check)"}}
}

// newNonCompliantAlerts: one per scan that found resources newly
// NON_COMPLIANT (keyed by the sorted labels, so the same set alerts once).
func newNonCompliantAlerts(labels []string, now time.Time) []alert.Alert {
	if len(labels) == 0 {
		return nil
	}
	shown := labels
	if len(shown) > 20 {
		shown = shown[:20]
	}
	return []alert.Alert{{Kind: kindNewNC, Key: strings.Join(labels, ","), Severity: "warning", At: now,
		Summary: fmt.Sprintf("%d resource(s) newly NON_COMPLIANT", len(labels)), Detail: strings.Join(shown, "\n"),
		Fix: "byok findings diff lists them with the reason; the dashboard's findings page gives each fix"}}
}
