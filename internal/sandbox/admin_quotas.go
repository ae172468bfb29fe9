package sandbox

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/byok-dev/byok/internal/sandbox/faults"
)

// appliedQuota is the body of PUT /_byok/quotas: the value Service Quotas
// reports (and the throttling enforces) for one quota of service in
// account and Region; value 0 restores the default.
type appliedQuota struct {
	Account string  `json:"account"`
	Region  string  `json:"region"`
	Service string  `json:"service"`
	Quota   string  `json:"quota"` // table name, e.g. "GetParametersForImport"
	Value   float64 `json:"value"`
}

// putQuota handles PUT /_byok/quotas.
func (s *Server) putQuota(w http.ResponseWriter, r *http.Request) {
	var q appliedQuota
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		adminError(w, http.StatusBadRequest, `body must be {"account","region","service","quota","value"}: %v`, err)
		return
	}
	if q.Account == "" || q.Region == "" || q.Service == "" || q.Quota == "" {
		adminError(w, http.StatusBadRequest, "account, region, service and quota are required")
		return
	}
	if err := s.Faults.SetApplied(q.Account, q.Region, q.Service, q.Quota, q.Value); err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, faults.ErrUnknownQuota) {
			status = http.StatusNotFound
		}
		adminError(w, status, "%v", err)
		return
	}
	writeAdminJSON(w, s.Faults.Quotas(q.Account, q.Region, q.Service))
}
