package schedule

import (
	"testing"
	"time"
)

// FuzzParseWindow: any expression and zone either parse into a window whose
// Active and NextStart agree, or give an error; never a panic or a hang.
func FuzzParseWindow(f *testing.F) {
	for _, s := range [][2]string{{"0 2 * * TUE", "Europe/Paris"}, {"*/15 * * * *", "UTC"}, {"@weekly", "Asia/Kolkata"},
		{"0 0 30 2 *", "UTC"}, {"61 * * * *", "UTC"}, {"0 2 * * MON-FRI", "America/New_York"}, {"", ""}, {"@every 1s", "UTC"}} {
		f.Add(s[0], s[1], int64(2*time.Hour))
	}
	at := time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, expr, tz string, d int64) {
		w, err := ParseWindow(expr, tz, time.Duration(d)%(48*time.Hour))
		if err != nil {
			return
		}
		s := w.NextStart(at)
		if s.IsZero() {
			return
		}
		if _, _, ok := w.Active(s); !ok {
			t.Fatalf("%s: not active at its own start %s", w, s)
		}
	})
}
