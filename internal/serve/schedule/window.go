package schedule

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // windows name IANA zones; a host without tzdata must still parse them

	"github.com/robfig/cron/v3"
)

// Errors of window parsing and checking, matched with errors.Is.
var (
	ErrCron     = errors.New("invalid cron expression")
	ErrTimeZone = errors.New("invalid time zone")
	ErrDuration = errors.New("invalid window duration")
	ErrOverlap  = errors.New("rotation windows overlap")
	ErrTooShort = errors.New("window shorter than one key's rotation")
)

// parser reads the five standard fields (minute hour day-of-month month
// day-of-week) and the @daily-style descriptors; @every is refused by
// ParseWindow because a window starts at wall-clock times.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Window is a recurring rotation window: it opens at every time the cron
// expression matches in Location and stays open for Duration.
type Window struct {
	Cron     string
	Location *time.Location
	Duration time.Duration
	sched    cron.Schedule
}

// ParseWindow checks and builds a window. tz is an IANA name such as
// "Europe/Paris" or "UTC"; "Local" is refused (the host's zone is not part
// of the estate file).
func ParseWindow(expr, tz string, d time.Duration) (Window, error) {
	expr = strings.TrimSpace(expr)
	switch {
	case expr == "":
		return Window{}, fmt.Errorf("%w: empty; e.g. \"0 2 * * TUE\" (minute hour day month weekday)", ErrCron)
	case strings.HasPrefix(expr, "@every"):
		return Window{}, fmt.Errorf("%w %q: @every has no wall-clock start; use five fields, e.g. \"0 2 * * TUE\"", ErrCron, expr)
	case strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ="):
		return Window{}, fmt.Errorf("%w %q: put the zone in time_zone, not in the expression", ErrCron, expr)
	}
	s, err := parser.Parse(expr)
	if err != nil {
		return Window{}, fmt.Errorf("%w %q: %v; use five fields: minute hour day-of-month month day-of-week, e.g. \"0 2 * * TUE\"", ErrCron, expr, err)
	}
	loc, err := loadZone(tz)
	if err != nil {
		return Window{}, err
	}
	if d <= 0 {
		return Window{}, fmt.Errorf("%w: %v; a window lasts a positive time, e.g. 2h", ErrDuration, d)
	}
	return Window{Cron: expr, Location: loc, Duration: d, sched: s}, nil
}

func loadZone(tz string) (*time.Location, error) {
	if tz == "" || tz == "Local" {
		return nil, fmt.Errorf("%w %q: name an IANA zone, e.g. Europe/Paris or UTC", ErrTimeZone, tz)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("%w %q: not an IANA zone name (e.g. Europe/Paris, America/New_York, UTC)", ErrTimeZone, tz)
	}
	return loc, nil
}

// String is the window as written, e.g. "0 2 * * TUE Europe/Paris for 2h0m0s".
func (w Window) String() string {
	if w.Location == nil {
		return w.Cron
	}
	return fmt.Sprintf("%s %s for %s", w.Cron, w.Location, w.Duration)
}

// NextStart is the first opening strictly after t (zero time when the
// expression never matches again, e.g. 30 February).
func (w Window) NextStart(t time.Time) time.Time {
	if w.sched == nil {
		return time.Time{}
	}
	return w.sched.Next(t.In(w.Location))
}

// Active reports whether t is inside an opening of w and, when it is, that
// opening's start and end.
func (w Window) Active(t time.Time) (start, end time.Time, ok bool) {
	if w.sched == nil {
		return time.Time{}, time.Time{}, false
	}
	// The opening containing t started within Duration before it: take
	// the last start in (t-Duration, t].
	from := t.Add(-w.Duration)
	for s := w.NextStart(from); !s.IsZero() && !s.After(t); s = w.NextStart(s) {
		start = s
	}
	if start.IsZero() {
		return time.Time{}, time.Time{}, false
	}
	return start, start.Add(w.Duration), true
}
