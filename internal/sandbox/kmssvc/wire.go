package kmssvc

import (
	"bytes"
	"math"
	"strconv"
	"time"
)

// epoch is a KMS JSON timestamp: seconds since the Unix epoch as a number.
type epoch time.Time

func epochOf(t *time.Time) *epoch {
	if t == nil {
		return nil
	}
	e := epoch(*t)
	return &e
}

// MarshalJSON writes seconds with millisecond precision.
func (e epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(e).UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

// UnmarshalJSON reads a number of seconds (the SDKs send one).
func (e *epoch) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(bytes.TrimSpace(b)), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
		return &timeTypeError{}
	}
	sec, frac := math.Modf(f)
	*e = epoch(time.Unix(int64(sec), int64(frac*1e9)).UTC())
	return nil
}

type timeTypeError struct{}

func (*timeTypeError) Error() string { return "timestamp must be a number of seconds" }

func (e *epoch) time() *time.Time {
	if e == nil {
		return nil
	}
	t := time.Time(*e)
	return &t
}
