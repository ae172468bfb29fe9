package dashboard

import (
	"fmt"
	"html/template"
	"math"
	"time"

	"github.com/byok-dev/byok/internal/serve/view"
)

var funcs = template.FuncMap{
	"days":      func(d time.Duration) int { return int(math.Floor(d.Hours() / 24)) },
	"date":      func(t time.Time) string { return fmtTime(t, "2006-01-02") },
	"datetime":  func(t time.Time) string { return fmtTime(t, "2006-01-02 15:04:05 MST") },
	"ageDays":   func(k view.Key, now time.Time) int { return int(math.Floor(k.Age(now).Hours() / 24)) },
	"agePct":    agePct,
	"ageClass":  ageClass,
	"expiresIn": expiresIn,
	"remaining": func(k view.Key) int { return view.MaxRotations - k.RotationsUsed },
	"fix":       Fix,
	"lines":     joinLines,
	"verdict":   verdictClass,
	"pct": func(n, total int) string {
		if total == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(total))
	},
}

func fmtTime(t time.Time, layout string) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(layout)
}

// agePct is the bar width: the material's age as a share of the policy's
// maximum, capped at 100.
func agePct(k view.Key, now time.Time) int {
	if k.MaxAge <= 0 {
		return 0
	}
	return int(math.Min(100, 100*k.Age(now).Seconds()/k.MaxAge.Seconds()))
}

func ageClass(k view.Key, now time.Time) string {
	switch p := agePct(k, now); {
	case k.Due || p >= 100:
		return "over"
	case p >= 90:
		return "near"
	}
	return ""
}

// expiresIn is "in N days" for the earliest ValidTo, "never" without one.
func expiresIn(k view.Key, now time.Time) string {
	if k.EarliestValidTo == nil {
		return "never"
	}
	d := k.EarliestValidTo.Sub(now)
	if d < 0 {
		return "EXPIRED " + k.EarliestValidTo.UTC().Format("2006-01-02")
	}
	return fmt.Sprintf("in %d days (%s)", int(d.Hours()/24), k.EarliestValidTo.UTC().Format("2006-01-02"))
}

func verdictClass(v string) string {
	switch v {
	case "COMPLIANT":
		return "ok"
	case "NON_COMPLIANT":
		return "bad"
	case "INSUFFICIENT_DATA":
		return "warn"
	}
	return "muted"
}
