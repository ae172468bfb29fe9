package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/seed"
)

// TestServeKeepsServingWhenAWSFails: when KMS starts failing, the next
// expiry check keeps the keys it knew, marks them stale on /readyz, the
// dashboard and /metrics, and says why.
func TestServeKeepsServingWhenAWSFails(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the sandbox")
	}
	opts := seed.Options{Source: "test", DefaultMaterial: seed.Material{Age: 30 * 24 * time.Hour}}
	w := newServeWorld(t, serveTestYAML("schedule:\n  expiry_check_interval: 1h\n"), &opts, time.Time{})
	clock := w.sb.Server.Env.Clock
	w.start(t, clock)
	w.sb.SetFaults([]faults.Rule{{Service: "kms", Operation: "DescribeKey", Code: "KMSInternalException", Status: 500,
		Message: "injected outage"}}, false)
	clock.Advance(61 * time.Minute)
	w.svc.Poke()
	w.waitEvents(t, "expiry-check")

	st := w.svc.State()
	if len(st.Keys) != 6 || !strings.Contains(st.KeysErr, "KMSInternalException") {
		t.Fatalf("after the outage: %d keys, error %q; want the 6 known keys and the KMS error", len(st.Keys), st.KeysErr)
	}
	var ready struct {
		Ready bool   `json:"ready"`
		Stale bool   `json:"stale"`
		Keys  string `json:"keys_error"`
	}
	body := httpGet(t, w.http.URL+"/readyz")
	if err := json.Unmarshal([]byte(body), &ready); err != nil || !ready.Ready || !ready.Stale || ready.Keys == "" {
		t.Fatalf("/readyz: %s", body)
	}
	if page := httpGet(t, w.http.URL+"/"); !strings.Contains(page, `id="stale"`) || !strings.Contains(page, "alias/prod/rds") {
		t.Fatal("the overview neither keeps the keys nor marks them stale")
	}
	if m := httpGet(t, w.http.URL+"/metrics"); !strings.Contains(m, `byok_state_stale{part="keys"} 1`) || !strings.Contains(m, `byok_key_material_age_seconds{alias="alias/prod/rds"`) {
		t.Fatal("/metrics does not mark the keys stale or lost them")
	}
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
