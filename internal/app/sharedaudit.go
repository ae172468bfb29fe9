package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/byok-dev/byok/internal/audit"
)

// ErrNoSharedState: the command needs a shared state location and none is
// configured.
var ErrNoSharedState = errors.New("no shared state location (--state-location, $" + StateLocationEnv + " or state_location: in the estate)")

// SharedAuditReport is the shared chain as `byok audit verify-shared`
// found it.
type SharedAuditReport struct {
	Location string   `json:"location"`
	Entries  int      `json:"entries"`
	HeadSeq  int64    `json:"head_seq"`
	HeadHash string   `json:"head_hash"`
	Missing  []string `json:"missing"` // local entries (run and key) the shared chain lacks
}

// VerifySharedAudit verifies the shared audit chain (every link, and the
// head against the last link) and that every entry of the local log is
// in it (by run and key). Local entries older than the shared chain's
// first entry are not expected there (made before the state location was
// configured). A broken chain is an error wrapping sharedstate's
// ErrChainBroken, with the report of what was read.
func (a *App) VerifySharedAudit(ctx context.Context, local []audit.Entry) (SharedAuditReport, error) {
	rep := SharedAuditReport{Missing: []string{}}
	if a.Shared == nil {
		return rep, ErrNoSharedState
	}
	rep.Location = a.Shared.Location.String()
	entries, err := a.Shared.AuditEntries(ctx)
	rep.Entries = len(entries)
	if n := len(entries); n > 0 {
		rep.HeadSeq, rep.HeadHash = entries[n-1].Seq, entries[n-1].Hash
	}
	if err != nil {
		return rep, fmt.Errorf("shared audit chain in %s: %w", rep.Location, err)
	}
	seen := map[string]bool{}
	var first sharedRef
	for i, e := range entries {
		var r sharedRef
		if err := json.Unmarshal(e.Entry, &r); err != nil {
			return rep, fmt.Errorf("shared audit entry %d: %w", e.Seq, err)
		}
		if i == 0 {
			first = r
		}
		seen[r.RunID+" "+r.KeyARN] = true
	}
	for _, e := range local {
		if len(entries) == 0 || e.Time.Before(first.Time) {
			continue
		}
		if k := e.RunID + " " + e.KeyARN; !seen[k] {
			rep.Missing = append(rep.Missing, k)
		}
	}
	return rep, nil
}

// sharedRef is what the check reads of a shared entry (a sharedRecord).
type sharedRef struct {
	RunID  string
	KeyARN string
	Time   time.Time `json:"time"`
}
