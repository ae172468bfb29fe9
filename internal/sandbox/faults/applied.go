package faults

import (
	"errors"
	"fmt"
	"math"
)

// ErrUnknownQuota is returned by SetApplied for a quota the service does
// not register.
var ErrUnknownQuota = errors.New("unknown quota")

// ErrBadQuotaValue is returned by SetApplied for a value that is not a
// positive finite rate.
var ErrBadQuotaValue = errors.New("bad quota value")

type appliedKey struct{ account, region, service, quota string }

// SetApplied sets the applied value of one quota of service in account and
// Region (what Service Quotas reports and what the bucket then enforces);
// perSecond 0 restores the default.
func (in *Injector) SetApplied(account, region, service, quota string, perSecond float64) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if perSecond < 0 || math.IsNaN(perSecond) || math.IsInf(perSecond, 0) {
		return fmt.Errorf("%w: %v for %s %q (want a positive rate, or 0 for the default)", ErrBadQuotaValue, perSecond, service, quota)
	}
	if _, ok := in.quotaLocked(service, quota); !ok {
		return fmt.Errorf("%w: %s has no quota %q", ErrUnknownQuota, service, quota)
	}
	k := appliedKey{account, region, service, quota}
	if perSecond == 0 {
		delete(in.applied, k)
	} else {
		in.applied[k] = perSecond
	}
	delete(in.buckets, bucketKey(k))
	return nil
}

// Quotas returns service's quotas with the values applied in account and
// Region (the defaults where none is set).
func (in *Injector) Quotas(account, region, service string) []Quota {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]Quota, 0, len(in.quotas[service]))
	for _, q := range in.quotas[service] {
		q.PerSecond = in.limitLocked(account, region, service, q)
		out = append(out, q)
	}
	return out
}

// Default returns the default value of one quota of service.
func (in *Injector) Default(service, quota string) (Quota, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.quotaLocked(service, quota)
}

func (in *Injector) quotaLocked(service, quota string) (Quota, bool) {
	for _, q := range in.quotas[service] {
		if q.Name == quota {
			return q, true
		}
	}
	return Quota{}, false
}

func (in *Injector) limitLocked(account, region, service string, q Quota) float64 {
	if v, ok := in.applied[appliedKey{account, region, service, q.Name}]; ok {
		return v
	}
	return q.PerSecond
}
