package eventssvc

import (
	"encoding/json"
	"net/http"
	"sort"
)

// AdminHandler implements svc.Admin: GET /metrics lists every rule's
// MatchedEvents, Invocations and FailedInvocations (what CloudWatch's
// AWS/Events metrics would show), sorted by account, Region and rule.
func (s *Service) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		ms := s.Metrics()
		sort.Slice(ms, func(i, j int) bool {
			a, b := ms[i], ms[j]
			if a.Account != b.Account {
				return a.Account < b.Account
			}
			if a.Region != b.Region {
				return a.Region < b.Region
			}
			return a.Rule < b.Rule
		})
		if ms == nil {
			ms = []Metrics{}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(ms)
	})
	return mux
}
