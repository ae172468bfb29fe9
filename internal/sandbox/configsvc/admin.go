package configsvc

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// EventsResponse is the answer of POST /_byok/config/events.
type EventsResponse struct {
	Events []events.ConfigEvent `json:"events"`
}

// AdminHandler implements svc.Admin: POST /events takes an EventRequest
// and returns the rule's Lambda events.
func (s *Service) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /events", func(w http.ResponseWriter, r *http.Request) {
		var req EventRequest
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		w.Header().Set("Content-Type", "application/json")
		if err := dec.Decode(&req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "config events: body must be an EventRequest: " + err.Error()})
			return
		}
		evs, err := s.Events(req)
		if err != nil {
			status := http.StatusInternalServerError
			if errors.Is(err, ErrEventRequest) {
				status = http.StatusBadRequest
			}
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		if evs == nil {
			evs = []events.ConfigEvent{}
		}
		_ = json.NewEncoder(w).Encode(EventsResponse{Events: evs})
	})
	return mux
}
