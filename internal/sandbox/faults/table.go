package faults

import "github.com/byok-dev/byok/internal/pace"

// FromTable returns the quotas of service in byok's one quota table
// (internal/pace), so the sandbox throttles at exactly the rates byok paces
// by.
func FromTable(service string) []Quota {
	var out []Quota
	for _, q := range pace.Defaults().Quotas(service) {
		out = append(out, Quota{Name: q.Name, Ops: append([]string(nil), q.Ops...), PerSecond: q.PerSecond})
	}
	return out
}
