package estate

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseDuration parses a Go duration ("8760h", "1h30m") extended with days
// ("365d") and weeks ("52w"); units may be mixed ("1w2d12h"). Days are 24 h:
// a rotation policy counts calendar days in UTC, where there is no DST.
// Zero and negative durations are errors wrapping ErrDuration.
func ParseDuration(s string) (time.Duration, error) {
	d, err := parseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%w %q: %v", ErrDuration, s, err)
	}
	return d, nil
}

func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty duration")
	}
	if s[0] == '-' || s[0] == '+' {
		return 0, errors.New("a duration must be positive, without a sign")
	}
	var total time.Duration
	for rest := s; rest != ""; {
		d, next, err := durationTerm(rest)
		if err != nil {
			return 0, err
		}
		if total > math.MaxInt64-d {
			return 0, errors.New("duration too large")
		}
		total += d
		rest = next
	}
	if total <= 0 {
		return 0, errors.New("a duration must be greater than zero")
	}
	return total, nil
}

// durationTerm reads one "<number><unit>" term from the front of s.
func durationTerm(s string) (time.Duration, string, error) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	j := i
	for j < len(s) && !(s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
		j++
	}
	num, unit, rest := s[:i], s[i:j], s[j:]
	if num == "" {
		return 0, "", errors.New("expected a number before " + strconv.Quote(unit))
	}
	if unit == "" {
		return 0, "", errors.New("missing unit after " + num)
	}
	switch unit {
	case "d", "w":
		return dayTerm(num, unit, rest)
	case "ns", "us", "µs", "μs", "ms", "s", "m", "h":
		d, err := time.ParseDuration(num + unit)
		if err != nil {
			return 0, "", errors.New("bad number " + strconv.Quote(num))
		}
		return d, rest, nil
	}
	return 0, "", errors.New("unknown unit " + strconv.Quote(unit))
}

// dayTerm converts a day or week count, which time.ParseDuration lacks.
func dayTerm(num, unit, rest string) (time.Duration, string, error) {
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || strings.Count(num, ".") > 1 {
		return 0, "", errors.New("bad number " + strconv.Quote(num))
	}
	per := 24 * time.Hour
	if unit == "w" {
		per *= 7
	}
	ns := n * float64(per)
	if ns >= math.MaxInt64 {
		return 0, "", errors.New("duration too large")
	}
	return time.Duration(ns), rest, nil
}

// FormatDuration renders d in whole days when it divides evenly ("365d"),
// else as Go does ("36h0m0s"); ParseDuration reads both back.
func FormatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d > 0 && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return d.String()
}
