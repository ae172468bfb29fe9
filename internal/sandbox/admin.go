package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/faults"
)

// Admin endpoints (unsigned, loopback only):
//
//	GET  /_byok/health
//	GET  /_byok/clock                      {"now": RFC3339, "offset": "1h0m0s"}
//	POST /_byok/clock  {"advance":"24h"} | {"set":"2027-01-01T00:00:00Z"}
//	GET  /_byok/faults                     {"rules":[…], "enforceQuotas":bool}
//	PUT  /_byok/faults {"rules":[…], "enforceQuotas":bool}
//	PUT  /_byok/quotas {"account","region","service","quota","value"}  applied quota value
//	GET  /_byok/counters   DELETE /_byok/counters
//	/_byok/<signing name>/…  service admin handlers
func (s *Server) routeAdmin() {
	s.admin.HandleFunc("GET /_byok/health", func(w http.ResponseWriter, _ *http.Request) {
		writeAdminJSON(w, map[string]any{"ok": true, "now": s.Env.Clock.Now()})
	})
	s.admin.HandleFunc("GET /_byok/clock", s.getClock)
	s.admin.HandleFunc("POST /_byok/clock", s.postClock)
	s.admin.HandleFunc("GET /_byok/faults", s.getFaults)
	s.admin.HandleFunc("PUT /_byok/faults", s.putFaults)
	s.admin.HandleFunc("PUT /_byok/quotas", s.putQuota)
	s.admin.HandleFunc("GET /_byok/counters", func(w http.ResponseWriter, _ *http.Request) {
		writeAdminJSON(w, s.Counters.Snapshot())
	})
	s.admin.HandleFunc("DELETE /_byok/counters", func(w http.ResponseWriter, _ *http.Request) {
		s.Counters.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
}

func (s *Server) getClock(w http.ResponseWriter, _ *http.Request) {
	writeAdminJSON(w, map[string]any{"now": s.Env.Clock.Now(), "offset": s.Env.Clock.Offset().String()})
}

func (s *Server) postClock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Advance string     `json:"advance"`
		Set     *time.Time `json:"set"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		adminError(w, http.StatusBadRequest, "body must be {\"advance\":\"24h\"} or {\"set\":RFC3339}: %v", err)
		return
	}
	switch {
	case req.Set != nil:
		s.Env.Clock.Set(*req.Set)
	case req.Advance != "":
		d, err := time.ParseDuration(req.Advance)
		if err != nil {
			adminError(w, http.StatusBadRequest, "advance: %v", err)
			return
		}
		s.Env.Clock.Advance(d)
	default:
		adminError(w, http.StatusBadRequest, "give advance or set")
		return
	}
	s.getClock(w, r)
}

type faultConfig struct {
	Rules         []faults.Rule `json:"rules"`
	EnforceQuotas bool          `json:"enforceQuotas"`
}

func (s *Server) getFaults(w http.ResponseWriter, _ *http.Request) {
	writeAdminJSON(w, faultConfig{Rules: s.Faults.Rules(), EnforceQuotas: s.Faults.QuotasEnforced()})
}

func (s *Server) putFaults(w http.ResponseWriter, r *http.Request) {
	var fc faultConfig
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		adminError(w, http.StatusBadRequest, "faults: %v", err)
		return
	}
	s.Faults.SetRules(fc.Rules)
	s.Faults.EnforceQuotas(fc.EnforceQuotas)
	s.getFaults(w, r)
}

func writeAdminJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func adminError(w http.ResponseWriter, status int, format string, args ...any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": fmt.Sprintf(format, args...)})
}
