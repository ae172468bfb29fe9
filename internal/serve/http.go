package serve

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/serve/dashboard"
	"github.com/byok-dev/byok/internal/serve/metrics"
)

// Handler is the service's HTTP side: dashboard, actions, /metrics,
// /healthz, /readyz and the JSON API, behind the guard.
func (s *Service) Handler(sec Secured) (http.Handler, error) {
	g := guard{sec: sec}
	d, err := dashboard.New(dashboard.Options{State: s.State, Alerts: s.Alerts, CSRF: g.csrf, Actions: len(sec.Token) > 0, Logger: s.log})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	d.Routes(mux)
	mux.Handle("GET /metrics", metrics.Handler(s.State))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, map[string]bool{"ok": true}) })
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("GET /api/keys", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, s.State().Keys) })
	mux.HandleFunc("GET /api/runs", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, s.State().Runs) })
	mux.HandleFunc("GET /api/audit", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, s.State().Audit) })
	mux.HandleFunc("GET /api/scan", s.apiScan)
	mux.HandleFunc("GET /api/state", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, summary(s.State())) })
	mux.HandleFunc("POST /actions/scan", s.actionScan(g))
	mux.HandleFunc("POST /actions/rotate", s.actionRotate(g))
	mux.HandleFunc("POST /login", s.login(g))
	return g.wrap(mux), nil
}

// Serve serves h on ln (from Secured.Listener) until ctx ends, then
// shuts down, letting requests in flight finish for up to 10 s.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

func (s *Service) readyz(w http.ResponseWriter, _ *http.Request) {
	st := s.State()
	ready := s.Ready()
	code := http.StatusOK
	if !ready {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, map[string]any{"ready": ready, "stale": st.Stale(), "keys_error": st.KeysErr, "scan_error": st.ScanErr,
		"hsm_error": st.HSMErr})
}

// apiScan returns the last scan exactly as byok scan --format json prints it.
func (s *Service) apiScan(w http.ResponseWriter, _ *http.Request) {
	st := s.State()
	if st.Scan == nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "no scan yet", "scan_error": st.ScanErr})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if err := report.Write(w, report.FormatJSON, *st.Scan, report.Options{}); err != nil {
		s.log.Error("write scan json", logError, err)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
