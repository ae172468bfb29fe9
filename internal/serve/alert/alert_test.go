package alert

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

type recorder struct {
	name string
	mu   sync.Mutex
	got  []Alert
	fail bool
}

func (r *recorder) Name() string { return r.name }
func (r *recorder) Send(_ context.Context, a Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("down")
	}
	r.got = append(r.got, a)
	return nil
}

// TestNotifierOnceUntilChanged: a condition alerts once; again when its
// summary changes; again after it cleared and came back; a failed delivery
// is retried.
func TestNotifierOnceUntilChanged(t *testing.T) {
	ctx := context.Background()
	a, b := &recorder{name: "a"}, &recorder{name: "b", fail: true}
	n := &Notifier{Senders: []Sender{a, b}}
	exp := Alert{Kind: KindExpiring, Key: "alias/dev/s3|m1", Summary: "expires in 10 days"}
	steps := []struct {
		active []Alert
		wantA  int
	}{
		{[]Alert{exp}, 1},
		{[]Alert{exp}, 1},
		{[]Alert{{Kind: KindExpiring, Key: exp.Key, Summary: "expires in 9 days"}}, 2},
		{nil, 2},
		{[]Alert{exp}, 3},
	}
	for i, s := range steps {
		err := n.Sync(ctx, KindExpiring, s.active)
		if len(s.active) > 0 && err == nil {
			t.Fatalf("step %d: the failing destination reported no error", i)
		}
		if len(a.got) != s.wantA {
			t.Fatalf("step %d: %d alerts, want %d", i, len(a.got), s.wantA)
		}
	}
	b.fail = false
	if err := n.Sync(ctx, KindExpiring, []Alert{exp}); err != nil || len(b.got) != 1 || len(a.got) != 3 {
		t.Fatalf("retry: err %v, b %d, a %d", err, len(b.got), len(a.got))
	}
	// Another kind does not clear this one.
	if err := n.Sync(ctx, KindHSMDown, nil); err != nil || len(a.got) != 3 {
		t.Fatal("sync of another kind re-sent")
	}
	if err := n.Sync(ctx, KindExpiring, []Alert{exp}); err != nil || len(a.got) != 3 {
		t.Fatalf("a condition of one kind was forgotten by another kind's sync: %d", len(a.got))
	}
}

func TestWebhookSignature(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	var body []byte
	var ts, sig string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		ts, sig = r.Header.Get(TimestampHeader), r.Header.Get(SignatureHeader)
	}))
	defer srv.Close()
	w := &Webhook{URL: srv.URL, Secret: secret}
	if err := w.Send(context.Background(), Alert{Kind: KindRunFailed, Key: "r1", Summary: "run failed"}); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		secret []byte
		ts     string
		body   []byte
		want   bool
	}{
		"genuine":      {secret, ts, body, true},
		"other secret": {[]byte("x"), ts, body, false},
		"replayed ts":  {secret, ts + "1", body, false},
		"altered body": {secret, ts, append([]byte(nil), append(body, ' ')...), false},
	}
	for name, tc := range tests {
		if got := Verify(tc.secret, tc.ts, tc.body, sig); got != tc.want {
			t.Errorf("%s: Verify = %v, want %v", name, got, tc.want)
		}
	}
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) })
	if err := w.Send(context.Background(), Alert{}); err == nil {
		t.Fatal("a 500 answer counted as delivered")
	}
}
