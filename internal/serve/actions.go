package serve

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/serve/view"
)

const logCaller = "caller"

// actionScan runs a scan now (token + CSRF), audited in the service log.
func (s *Service) actionScan(g guard) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if code, msg := g.checkPost(r); code != 0 {
			s.log.Warn("action refused", "action", "scan", logCaller, g.caller(r), logError, msg)
			http.Error(w, msg, code)
			return
		}
		caller := g.caller(r)
		s.log.Info("action", "action", "scan", logCaller, caller)
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Minute)
		defer cancel()
		msg := "Scan finished."
		if err := s.ScanNow(ctx); err != nil {
			msg = "Scan failed: " + err.Error()
		}
		s.Poke()
		http.Redirect(w, r, "/?msg="+url.QueryEscape(msg), http.StatusSeeOther)
	}
}

// actionRotate rotates one due key now; the caller goes into the run's
// change reference, hence into its audit entry.
func (s *Service) actionRotate(g guard) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if code, msg := g.checkPost(r); code != 0 {
			s.log.Warn("action refused", "action", "rotate", logCaller, g.caller(r), logError, msg)
			http.Error(w, msg, code)
			return
		}
		alias := r.PostFormValue("alias")
		if !knownAlias(s.State().Keys, alias) {
			http.Error(w, "unknown key: choose one of the estate's aliases on the overview", http.StatusBadRequest)
			return
		}
		caller := g.caller(r)
		s.log.Info("action", "action", "rotate", logAlias, alias, logCaller, caller)
		ctx := context.WithoutCancel(r.Context())
		res, err := s.RotateKey(ctx, alias, caller)
		msg := "Rotation of " + alias + " started: run " + strings.Join(res.RunIDs, ", ")
		if err != nil {
			msg = "Rotation of " + alias + ": " + err.Error()
		}
		s.Poke()
		http.Redirect(w, r, "/?msg="+url.QueryEscape(msg), http.StatusSeeOther)
	}
}

func knownAlias(keys []view.Key, alias string) bool {
	for _, k := range keys {
		if k.Alias == alias {
			return true
		}
	}
	return false
}

// login sets the session cookie after checking the token (CSRF-checked).
func (s *Service) login(g guard) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if code, msg := g.checkPost(r); code != 0 {
			s.log.Warn("login refused", logCaller, g.caller(r))
			http.Error(w, msg, code)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: g.session(), Path: "/", HttpOnly: true,
			Secure: g.sec.TLS != nil, SameSite: http.SameSiteStrictMode})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}
}

// stateSummary is /api/state: the service's own status.
type stateSummary struct {
	Now          time.Time         `json:"now"`
	Stale        bool              `json:"stale"`
	Errors       map[string]string `json:"errors,omitempty"`
	Jobs         []view.Job        `json:"jobs"`
	NextWindow   string            `json:"next_window"`
	Counts       map[string]int    `json:"resources_by_verdict"`
	LastRotation time.Time         `json:"last_rotation"`
}

func summary(st view.State) stateSummary {
	errs := map[string]string{}
	for k, v := range map[string]string{"keys": st.KeysErr, "scan": st.ScanErr, "runs": st.RunsErr, "audit": st.AuditErr, "hsm": st.HSMErr} {
		if v != "" {
			errs[k] = v
		}
	}
	return stateSummary{Now: st.Now, Stale: st.Stale(), Errors: errs, Jobs: st.Jobs, NextWindow: st.NextWindow,
		Counts: st.Counts.ByVerdict, LastRotation: st.LastRotation}
}
