package configrule_test

import (
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
)

// An estate exception holds through its expiry day (UTC) in scan and in the
// Config rule alike, and both turn the resource NON_COMPLIANT the next day
// on the sandbox clock.
func TestE2EExceptionExpiresInScanAndRule(t *testing.T) {
	eachWorld(t, testExceptionExpires)
}

func testExceptionExpires(t *testing.T, w *world) {
	// Noon UTC on the sandbox's next day, so that the test cannot cross a
	// midnight before it means to.
	now := w.sb.Now().UTC()
	noon := time.Date(now.Year(), now.Month(), now.Day()+1, 12, 0, 0, 0, time.UTC)
	w.sb.AdvanceClock(noon.Sub(now))

	target := firstNonCompliant(t, w)
	body := string(estate.ExampleYAML()) + "\nexceptions:\n" +
		"  - resource: \"" + target.ARN + "\"\n" +
		"    reason: \"legacy appliance re-encrypts next quarter\"\n" +
		"    approver: \"ciso@example.com\"\n" +
		"    expires: " + noon.Format(time.DateOnly) + "\n"
	est, err := estate.Parse("byok.yaml", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	w.est = est
	putObject(t, w.cfg(t, est.SecurityAccount), estateKey, body)

	key := ref(target)
	if got := verdictOf(t, w, key); got != compliance.Exempted {
		t.Fatalf("scan on the expiry day: %s is %v, want EXEMPTED", key, got)
	}
	undecidedRefs(t, w.run(t, w.events(t, target.Account, "scheduled", "", "")))
	if got := w.stored(t, target.Account)[key]; got.compliance != "NOT_APPLICABLE" || !strings.HasPrefix(got.reason, "EXEMPTED ") {
		t.Fatalf("Config on the expiry day: %s is %+v, want NOT_APPLICABLE / EXEMPTED …", key, got)
	}

	w.sb.AdvanceClock(12 * time.Hour) // the next midnight UTC
	w.coldStart()                     // the old container's sessions expired with the clock move
	if got := verdictOf(t, w, key); got != compliance.NonCompliant {
		t.Fatalf("scan the day after expiry: %s is %v, want NON_COMPLIANT", key, got)
	}
	undecidedRefs(t, w.run(t, w.events(t, target.Account, "scheduled", "", "")))
	if got := w.stored(t, target.Account)[key]; got.compliance != "NON_COMPLIANT" {
		t.Fatalf("Config the day after expiry: %s is %+v, want NON_COMPLIANT", key, got)
	}
}

func firstNonCompliant(t *testing.T, w *world) compliance.Resource {
	t.Helper()
	for _, r := range w.scan(t).Results {
		if r.Verdict == compliance.NonCompliant && r.Resource.ARN != "" {
			return r.Resource
		}
	}
	t.Fatal("the demo estate has no NON_COMPLIANT resource with an ARN")
	return compliance.Resource{}
}

func verdictOf(t *testing.T, w *world, key string) compliance.Verdict {
	t.Helper()
	for _, r := range w.scan(t).Results {
		if ref(r.Resource) == key {
			return r.Verdict
		}
	}
	t.Fatalf("%s not in the scan", key)
	return compliance.VerdictUnknown
}
