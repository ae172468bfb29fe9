package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/byok-dev/byok/internal/serve"
	"github.com/byok-dev/byok/internal/serve/alert"
	"github.com/byok-dev/byok/internal/serve/privfile"
)

func init() {
	register(&command{Name: "serve", Summary: "the service: scheduled rotation and scans, dashboard, /metrics, alerts",
		Main: serveCmd})
}

const serveDoc = `Run byok as a service next to the HSM: rotate due keys inside the rotation
windows of the estate's schedule: section (the same engine, journal and key
locks as byok rotate --due), scan and save the findings every scan_interval,
check key material expiry every expiry_check_interval, and alert (SNS topic,
signed webhook; the estate's alerts: section) on expiring material, failed or
stopped runs, new non-compliant resources, a broken audit chain or an
unreachable HSM, each condition once until it changes.

HTTP: the dashboard on /, Prometheus metrics on /metrics, /healthz, /readyz,
and a JSON API (/api/keys, /api/scan as byok scan --format json, /api/runs,
/api/audit, /api/state). Loopback by default; any other address needs
--tls-cert, --tls-key and --token-file (mode 600). The dashboard is read-only
but for two actions (scan now, rotate a due key now) that need the token.

On start it resumes the runs it left stopped; SIGTERM or Ctrl-C stops a
rotation at its next step boundary (byok resume, or the next start, goes on).

Exit status: 0 stopped by a signal; 1 could not start or serve (port in use,
state store, AWS, alert destination); 64 bad flags, listen address, TLS pair or
token file.`

type serveFlags struct {
	rot                      rotationFlags
	listen, cert, key, token string
	logFormat                string
}

func parseServeFlags(args []string, stdout, stderr io.Writer) (serveFlags, error) {
	fs := newFlagSet("serve", "[--listen 127.0.0.1:8443] [--estate FILE] [--state FILE] [--tls-cert F --tls-key F --token-file F]", serveDoc)
	fs.SetOutput(stderr)
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(stdout) // --help is asked-for output
		}
	}
	f := serveFlags{rot: addRotationFlags(fs)}
	fs.StringVar(&f.listen, "listen", serve.DefaultListen, "HOST:PORT to serve on (non-loopback needs TLS and a token)")
	fs.StringVar(&f.cert, "tls-cert", "", "PEM certificate file (TLS)")
	fs.StringVar(&f.key, "tls-key", "", "PEM private key file of --tls-cert")
	fs.StringVar(&f.token, "token-file", "", "file holding the API bearer token (mode 600); enables the two dashboard actions")
	fs.StringVar(&f.logFormat, "log-format", "text", "service log on stderr: text or json")
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if err := noArgs(fs); err != nil {
		return f, err
	}
	if f.logFormat != "text" && f.logFormat != "json" {
		return f, &exitError{Code: exitUsage, Err: fmt.Errorf("--log-format %q: use text or json", f.logFormat)}
	}
	return f, nil
}

func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseServeFlags(args, stdout, stderr)
	if err != nil {
		return err
	}
	sec, err := serve.Listen{Addr: f.listen, CertFile: f.cert, KeyFile: f.key, TokenFile: f.token}.Check()
	if err != nil {
		return &exitError{Code: exitUsage, Err: err}
	}
	ln, err := sec.Listener()
	if err != nil {
		return err
	}
	defer ln.Close()
	log := serveLogger(stderr, f.logFormat, *f.rot.verbose)
	svc, _, closeFn, err := buildService(ctx, f.rot, realClock{}, stderr, log)
	if err != nil {
		return err
	}
	defer closeFn()
	h, err := svc.Handler(sec)
	if err != nil {
		return err
	}
	scheme := map[bool]string{true: "https", false: "http"}[sec.TLS != nil]
	fmt.Fprintf(stderr, "byok serve: dashboard on %s://%s/ (metrics on /metrics)\n", scheme, ln.Addr())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = svc.Run(ctx)
	}()
	err = serve.Serve(ctx, ln, h)
	wg.Wait()
	return err
}

// buildService wires the service on the engine, scanner and store.
func buildService(ctx context.Context, f rotationFlags, clock serve.Clock, stderr io.Writer, log *slog.Logger) (*serve.Service, *serveWiring, func(), error) {
	w, err := newServeWiring(ctx, f, stderr)
	if err != nil {
		return nil, nil, nil, err
	}
	n, err := notifierFor(w, log)
	if err != nil {
		_ = w.Close()
		return nil, nil, nil, err
	}
	svc, err := serve.New(w.env.est.Schedule, serve.Deps{Planner: w, Scanner: w, Rotator: w, Reader: w}, clock, n, log)
	if err != nil {
		_ = w.Close()
		return nil, nil, nil, err
	}
	return svc, w, func() { _ = w.Close() }, nil
}

// notifierFor builds the alert destinations of the estate's alerts:.
func notifierFor(w *serveWiring, log *slog.Logger) (*alert.Notifier, error) {
	a := w.env.est.Alerts
	n := &alert.Notifier{Logger: log}
	if a.SNSTopic != "" {
		region := strings.Split(a.SNSTopic, ":")[3]
		n.Senders = append(n.Senders, &alert.SNS{Topic: a.SNSTopic, Client: snsVia{w: w, region: region}})
	}
	if a.Webhook != "" {
		secret, err := privfile.Read(a.WebhookSecretFile)
		if err != nil {
			return nil, &exitError{Code: exitUsage, Err: fmt.Errorf("alerts.webhook.secret_file: %w", err)}
		}
		n.Senders = append(n.Senders, &alert.Webhook{URL: a.Webhook, Secret: secret})
	}
	return n, nil
}

func serveLogger(w io.Writer, format string, verbose bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if verbose {
		opts.Level = slog.LevelDebug
	}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
