package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/seed"
	"github.com/byok-dev/byok/internal/serve/alert"
	"github.com/byok-dev/byok/internal/serve/view"
)

// webhookReceiver counts deliveries whose signature verifies and fails the
// test on any that does not.
type webhookReceiver struct {
	t      *testing.T
	secret []byte
	mu     sync.Mutex
	got    []alert.Alert
}

func (r *webhookReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	if !alert.Verify(r.secret, req.Header.Get(alert.TimestampHeader), body, req.Header.Get(alert.SignatureHeader)) {
		r.t.Errorf("webhook delivery with a bad signature: %s", body)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var a alert.Alert
	if err := json.Unmarshal(body, &a); err != nil {
		r.t.Errorf("webhook body is not an alert: %v", err)
	}
	r.mu.Lock()
	r.got = append(r.got, a)
	r.mu.Unlock()
}

func (r *webhookReceiver) kind(k string) []alert.Alert {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []alert.Alert
	for _, a := range r.got {
		if a.Kind == k {
			out = append(out, a)
		}
	}
	return out
}

// TestServeScheduler drives the scheduler with the sandbox clock: a key
// that falls due outside the rotation window waits for the window; a key
// that falls due inside the window is rotated then, not before; an
// expiring material raises exactly one alert on SNS and one on the
// webhook, however many expiry checks run.
func TestServeScheduler(t *testing.T) {
	if testing.Short() {
		t.Skip("rotates keys on the sandbox with SoftHSM2")
	}
	const day = 24 * time.Hour
	t0 := time.Date(2027, 1, 4, 12, 0, 0, 0, time.UTC) // a Monday noon
	secretDir := t.TempDir()
	secret := []byte("0123456789abcdef0123456789abcdef")
	secretFile := filepath.Join(secretDir, "webhook.secret")
	if err := os.WriteFile(secretFile, secret, 0o600); err != nil {
		t.Fatal(err)
	}
	recv := &webhookReceiver{t: t, secret: secret}
	hook := httptest.NewServer(recv)
	defer hook.Close()
	yaml := serveTestYAML(`schedule:
  rotation_windows:
    - {cron: "0 2 * * *", time_zone: UTC, duration: 2h}
  expiry_check_interval: 1h
  key_rotation_time: 30m
alerts:
  sns_topic: "arn:aws:sns:eu-west-1:111111111111:byok-alerts"
  webhook: {url: "` + hook.URL + `", secret_file: "` + secretFile + `"}
`)
	tueDue := time.Date(2027, 1, 5, 2, 30, 0, 0, time.UTC)
	opts := seed.Options{Source: "test", DefaultMaterial: seed.Material{Age: 100 * day}, Material: map[string]seed.Material{
		"alias/dev/s3":  {Age: 365*day - 150*time.Minute},     // due Monday 14:30, outside the window
		"alias/dev/rds": {Age: 365*day - tueDue.Sub(t0)},      // due Tuesday 02:30, inside it
		"alias/prod/s3": {Age: 30 * day, ExpiresIn: 10 * day}, // expiring within the 30-day warning
	}}
	w := newServeWorld(t, yaml, &opts, t0)
	topic := w.createTopic(t, "byok-alerts")
	clock := w.sb.Server.Env.Clock
	w.start(t, clock)

	// Monday noon: nothing due, no window.
	checkRotated(t, w, nil)
	// Monday 15:00: dev/s3 is due, but outside any window.
	clock.Advance(3 * time.Hour)
	w.svc.Poke()
	w.waitEvents(t, "expiry-check")
	if k := keyOf(t, w, "alias/dev/s3"); !k.Due {
		t.Fatalf("alias/dev/s3 not due at %s: %+v", clock.Now(), k)
	}
	checkRotated(t, w, nil)
	// Tuesday 02:05: the window opened; dev/s3 is rotated, dev/rds is not yet due.
	clock.Set(time.Date(2027, 1, 5, 2, 5, 0, 0, time.UTC))
	w.svc.Poke()
	w.waitEvents(t, "rotate")
	checkRotated(t, w, []string{"alias/dev/s3"})
	// Tuesday 02:31: dev/rds fell due inside the window and is rotated.
	clock.Set(tueDue.Add(time.Minute))
	w.svc.Poke()
	w.waitEvents(t, "rotate")
	checkRotated(t, w, []string{"alias/dev/rds", "alias/dev/s3"})

	if got := recv.kind(alert.KindExpiring); len(got) != 1 || !strings.Contains(got[0].Summary, "alias/prod/s3") {
		t.Errorf("webhook expiring alerts: %+v, want exactly one for alias/prod/s3", got)
	}
	msgs := snsMessages(t, w, topic)
	if n := countContaining(msgs, "alias/prod/s3: key material"); n != 1 {
		t.Errorf("SNS got %d expiring alerts for alias/prod/s3, want exactly 1: %+v", n, msgs)
	}
}

// checkRotated asserts which aliases the service's runs rotated (succeeded).
func checkRotated(t *testing.T, w *serveWorld, want []string) {
	t.Helper()
	got := map[string]bool{}
	for _, r := range w.svc.State().Runs {
		if r.Status != "succeeded" {
			t.Fatalf("run %s %s: %s", r.ID, r.Status, r.Error)
		}
		for _, k := range r.Keys {
			got[aliasOf(t, w, k.KeyARN)] = true
		}
	}
	if len(got) != len(want) {
		t.Fatalf("at %s rotated %v, want %v", w.sb.Server.Env.Clock.Now(), got, want)
	}
	for _, a := range want {
		if !got[a] {
			t.Fatalf("at %s rotated %v, want %v", w.sb.Server.Env.Clock.Now(), got, want)
		}
	}
}

func keyOf(t *testing.T, w *serveWorld, alias string) view.Key {
	t.Helper()
	for _, k := range w.svc.State().Keys {
		if k.Alias == alias {
			return k
		}
	}
	t.Fatalf("no key %s in the service state", alias)
	return view.Key{}
}

func aliasOf(t *testing.T, w *serveWorld, arn string) string {
	for _, k := range w.svc.State().Keys {
		if k.ARN == arn {
			return k.Alias
		}
	}
	return arn
}

type snsMessage struct {
	Subject string `json:"subject"`
	Message string `json:"message"`
}

func snsMessages(t *testing.T, w *serveWorld, topic string) []snsMessage {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, w.sb.URL()+"/_byok/sns/messages?topic="+topic, nil)
	resp, err := w.sb.AdminClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []snsMessage
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func countContaining(msgs []snsMessage, s string) int {
	n := 0
	for _, m := range msgs {
		if strings.Contains(m.Message, s) {
			n++
		}
	}
	return n
}
