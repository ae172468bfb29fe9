package schedule

import (
	"errors"
	"testing"
	"time"
)

func mustWindow(t *testing.T, expr, tz string, d time.Duration) Window {
	t.Helper()
	w, err := ParseWindow(expr, tz, d)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestParseWindowErrors(t *testing.T) {
	tests := map[string]struct {
		expr, tz string
		d        time.Duration
		want     error
	}{
		"ok":           {"0 2 * * TUE", "Europe/Paris", 2 * time.Hour, nil},
		"descriptor":   {"@weekly", "UTC", time.Hour, nil},
		"empty cron":   {"", "UTC", time.Hour, ErrCron},
		"six fields":   {"0 0 2 * * TUE", "UTC", time.Hour, ErrCron},
		"bad weekday":  {"0 2 * * TUESDAY", "UTC", time.Hour, ErrCron},
		"hour 24":      {"0 24 * * *", "UTC", time.Hour, ErrCron},
		"every":        {"@every 1h", "UTC", time.Hour, ErrCron},
		"tz prefix":    {"CRON_TZ=UTC 0 2 * * *", "UTC", time.Hour, ErrCron},
		"bad zone":     {"0 2 * * *", "Europe/Pariss", time.Hour, ErrTimeZone},
		"local zone":   {"0 2 * * *", "Local", time.Hour, ErrTimeZone},
		"empty zone":   {"0 2 * * *", "", time.Hour, ErrTimeZone},
		"zero length":  {"0 2 * * *", "UTC", 0, ErrDuration},
		"negative len": {"0 2 * * *", "UTC", -time.Hour, ErrDuration},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParseWindow(tc.expr, tc.tz, tc.d)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("ParseWindow(%q, %q, %v) = %v, want %v", tc.expr, tc.tz, tc.d, err, tc.want)
			}
		})
	}
}

// TestActiveInZone: Tue 02:00-04:00 Europe/Paris is 01:00-03:00 UTC in
// winter (CET) and 00:00-02:00 UTC in summer (CEST).
func TestActiveInZone(t *testing.T) {
	w := mustWindow(t, "0 2 * * TUE", "Europe/Paris", 2*time.Hour)
	tests := map[string]struct {
		at   string
		want bool
	}{
		"winter before": {"2026-12-01T00:59:59Z", false},
		"winter start":  {"2026-12-01T01:00:00Z", true},
		"winter inside": {"2026-12-01T02:59:59Z", true},
		"winter end":    {"2026-12-01T03:00:00Z", false},
		"summer start":  {"2026-07-07T00:00:00Z", true},
		"summer late":   {"2026-07-07T02:30:00Z", false},
		"wednesday":     {"2026-12-02T01:30:00Z", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			at, _ := time.Parse(time.RFC3339, tc.at)
			if _, _, ok := w.Active(at); ok != tc.want {
				t.Fatalf("Active(%s) = %v, want %v", tc.at, ok, tc.want)
			}
		})
	}
	from, _ := time.Parse(time.RFC3339, "2026-12-01T03:00:00Z")
	if got := w.NextStart(from).UTC().Format(time.RFC3339); got != "2026-12-08T01:00:00Z" {
		t.Fatalf("NextStart = %s", got)
	}
}

func TestCheck(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tue := mustWindow(t, "0 2 * * TUE", "Europe/Paris", 2*time.Hour)
	tests := map[string]struct {
		ws   []Window
		min  time.Duration
		want error
	}{
		"one window":       {[]Window{tue}, 30 * time.Minute, nil},
		"disjoint":         {[]Window{tue, mustWindow(t, "0 2 * * SAT", "UTC", 2*time.Hour)}, 30 * time.Minute, nil},
		"same time 2 zone": {[]Window{tue, mustWindow(t, "30 1 * * TUE", "UTC", time.Hour)}, 30 * time.Minute, ErrOverlap},
		"self overlap":     {[]Window{mustWindow(t, "0 * * * *", "UTC", 2*time.Hour)}, 30 * time.Minute, ErrOverlap},
		"too short":        {[]Window{mustWindow(t, "0 2 * * *", "UTC", 10*time.Minute)}, 30 * time.Minute, ErrTooShort},
		"back to back":     {[]Window{mustWindow(t, "0 2 * * *", "UTC", time.Hour), mustWindow(t, "0 3 * * *", "UTC", time.Hour)}, time.Minute, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := Check(tc.ws, tc.min, from)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Check = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestNext(t *testing.T) {
	a := mustWindow(t, "0 2 * * SAT", "UTC", time.Hour)
	b := mustWindow(t, "0 3 * * WED", "UTC", time.Hour)
	from := time.Date(2026, 12, 5, 14, 0, 0, 0, time.UTC) // a Saturday afternoon
	start, _, i := Next([]Window{a, b}, from)
	if i != 1 || !start.Equal(time.Date(2026, 12, 9, 3, 0, 0, 0, time.UTC)) {
		t.Fatalf("Next = %s window %d", start, i)
	}
}
