package store

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// RunID names a run: "r-" + UTC creation time (basic ISO 8601, seconds) +
// "-" + 4 random hex digits, e.g. r-20261127T010203Z-3fa9. IDs sort by
// creation time as plain strings; the HSM object label and the
// KeyMaterialDescription carry it so a resumed run finds its own objects.
type RunID string

const runIDTime = "20060102T150405Z"

// runIDLen is len("r-") + len(runIDTime) + len("-") + 4.
const runIDLen = 2 + len(runIDTime) + 1 + 4

// NewRunID returns a fresh run ID for a run created at now.
func NewRunID(now time.Time) RunID {
	var b [2]byte
	rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	return RunID("r-" + now.UTC().Format(runIDTime) + "-" + hex.EncodeToString(b[:]))
}

// ParseRunID checks s is a run ID as NewRunID makes them.
func ParseRunID(s string) (RunID, error) {
	if err := checkRunID(s); err != nil {
		return "", fmt.Errorf("run ID %q: %w: %v (expected e.g. r-20261127T010203Z-3fa9, see byok runs list)",
			s, ErrInvalid, err)
	}
	return RunID(s), nil
}

func checkRunID(s string) error {
	if len(s) != runIDLen {
		return fmt.Errorf("length %d, want %d", len(s), runIDLen)
	}
	if s[:2] != "r-" || s[2+len(runIDTime)] != '-' {
		return fmt.Errorf("not of the form r-TIME-XXXX")
	}
	if _, err := time.Parse(runIDTime, s[2:2+len(runIDTime)]); err != nil {
		return fmt.Errorf("bad time part")
	}
	for _, c := range s[runIDLen-4:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return fmt.Errorf("suffix is not 4 lowercase hex digits")
		}
	}
	return nil
}

// Time is when the run was created, to the second.
func (id RunID) Time() (time.Time, error) {
	if err := checkRunID(string(id)); err != nil {
		return time.Time{}, fmt.Errorf("run ID %q: %w", string(id), ErrInvalid)
	}
	return time.Parse(runIDTime, string(id)[2:2+len(runIDTime)])
}

func (id RunID) String() string { return string(id) }
