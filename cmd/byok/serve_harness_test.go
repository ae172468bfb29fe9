package main

import (
	"bytes"
	"context"
	"flag"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm/hsmtest"
	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/sandbox/seed"
	"github.com/byok-dev/byok/internal/serve"
)

// serveWorld is a sandbox seeded with an estate, a SoftHSM2 token, a state
// file and byok serve built on them in this process (the real wiring: the
// engine, scanner and store over HTTP to the sandbox).
type serveWorld struct {
	sb      *sandboxrun.Sandbox
	est     *estate.Estate
	dir     string
	estFile string
	state   string
	svc     *serve.Service
	wiring  *serveWiring
	http    *httptest.Server
	log     bytes.Buffer
	events  chan string
	cancel  context.CancelFunc
	done    chan struct{}
	stop    func() // stops the service (idempotent)
}

// serveTestYAML is the demo estate wrapped for SoftHSM2 under RSA_2048
// (fast sandbox key generation), plus the sections given.
func serveTestYAML(extra string) string {
	return strings.Replace(string(mustRead("../../internal/sandbox/seed/demo.yaml")), "key_spec: RSA_4096", "key_spec: RSA_2048", 1) + "\n" + extra
}

func mustRead(p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		panic(err)
	}
	return b
}

// newServeWorld seeds the sandbox with yaml's estate and opts (the demo's
// key history and resources when opts is nil), writes the estate file and
// points the process environment at the sandbox, the token and the state.
func newServeWorld(t *testing.T, yaml string, opts *seed.Options, at time.Time) *serveWorld {
	t.Helper()
	ctx := context.Background()
	w := &serveWorld{sb: sandboxrun.NewTest(t, false), dir: t.TempDir(), events: make(chan string, 64)}
	if !at.IsZero() {
		w.sb.Server.Env.Clock.Set(at)
	}
	est, err := estate.Parse("serve.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	w.est = est
	o := seed.Demo()
	o.Resources = sandboxrun.DemoResources
	if opts != nil {
		o = *opts
	}
	if _, err := seed.Apply(ctx, w.sb, est, o); err != nil {
		t.Fatal(err)
	}
	w.estFile, w.state = filepath.Join(w.dir, "byok.yaml"), filepath.Join(w.dir, "state.db")
	if err := os.WriteFile(w.estFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	tok := hsmtest.NewSoftHSM(t)
	for _, name := range []string{"aws-config", "aws-credentials"} {
		if err := os.WriteFile(filepath.Join(w.dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	akid, secret := sandbox.AccountKeys(est.SecurityAccount)
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": filepath.Join(w.dir, "aws-config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(w.dir, "aws-credentials"),
		"AWS_ENDPOINT_URL": w.sb.URL(), "AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_ACCESS_KEY": secret,
		"AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_REGION": w.sb.Region(),
		"BYOK_ESTATE": w.estFile, "BYOK_STATE": w.state, "BYOK_HSM": tok.URI, "BYOK_FAILPOINT": "",
	} {
		t.Setenv(k, v)
	}
	return w
}

// createTopic makes the SNS topic alerts go to.
func (w *serveWorld) createTopic(t *testing.T, name string) string {
	t.Helper()
	out, err := sns.NewFromConfig(w.sb.Config(context.Background(), w.est.SecurityAccount)).CreateTopic(context.Background(),
		&sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TopicArn)
}

// start builds the service with clock, serves it on loopback and runs
// its scheduler; it returns when the first expiry check and scan are done.
func (w *serveWorld) start(t *testing.T, clock serve.Clock) {
	t.Helper()
	fs := flag.NewFlagSet("serve-test", flag.ContinueOnError)
	f := addRotationFlags(fs)
	if err := fs.Parse([]string{"--estate", w.estFile, "--state", w.state}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	logw := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return w.log.Write(p) })
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, cancel := context.WithCancel(context.Background())
	svc, wiring, closeFn, err := buildService(ctx, f, clock, logw, log)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	w.svc, w.wiring, w.cancel, w.done = svc, wiring, cancel, make(chan struct{})
	svc.OnEvent(func(ev string) { w.events <- ev })
	h, err := svc.Handler(serve.Secured{Addr: "127.0.0.1:0", Loopback: true})
	if err != nil {
		t.Fatal(err)
	}
	w.http = httptest.NewServer(h)
	go func() {
		defer close(w.done)
		_ = svc.Run(ctx)
	}()
	var once sync.Once
	w.stop = func() {
		once.Do(func() {
			w.cancel()
			<-w.done
			w.http.Close()
			closeFn()
		})
	}
	t.Cleanup(func() {
		w.stop()
		if t.Failed() {
			t.Logf("service log:\n%s", w.log.String())
		}
	})
	w.waitEvents(t, serve.JobExpiry, serve.JobScan)
}

// waitEvents waits for the scheduler to report these jobs, in order (other
// jobs in between are skipped); the deadline only guards against a hang.
func (w *serveWorld) waitEvents(t *testing.T, want ...string) {
	t.Helper()
	deadline := time.After(4 * time.Minute)
	for _, ev := range want {
		for got := ""; got != ev; {
			select {
			case got = <-w.events:
			case <-deadline:
				t.Fatalf("no %q event from the scheduler within the guard deadline", ev)
			}
		}
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
