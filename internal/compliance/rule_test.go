package compliance

import (
	"testing"
	"time"
)

func TestMaterialRules(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	overdue := map[string]struct {
		since   time.Time
		max     time.Duration
		overdue bool
	}{
		"one second over":    {now.Add(-365*day - time.Second), 365 * day, true},
		"exactly the max":    {now.Add(-365 * day), 365 * day, false},
		"young":              {now.Add(-30 * day), 365 * day, false},
		"no max judges none": {now.Add(-9999 * day), 0, false},
	}
	for name, tc := range overdue {
		if age, got := MaterialOverdue(tc.since, now, tc.max); got != tc.overdue || age != now.Sub(tc.since) {
			t.Errorf("overdue %s: %v (age %v), want %v", name, got, age, tc.overdue)
		}
	}
	expiring := map[string]struct {
		validTo *time.Time
		want    bool
	}{
		"never expires":       {nil, false},
		"already expired":     {at(-day), true},
		"inside the window":   {at(10 * day), true},
		"on the window's end": {at(30 * day), true},
		"after the window":    {at(30*day + time.Second), false},
	}
	for name, tc := range expiring {
		if got := MaterialExpiring(tc.validTo, now, 30*day); got != tc.want {
			t.Errorf("expiring %s: %v, want %v", name, got, tc.want)
		}
	}
}
