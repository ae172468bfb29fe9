package view

import (
	"time"

	"github.com/byok-dev/byok/internal/report"
)

// MaxRotations is KMS's limit of on-demand rotations per key.
const MaxRotations = 25

// Key is one estate key as the last plan read it.
type Key struct {
	Alias, Env, Service, Region, ARN string
	CurrentSince                     time.Time
	MaxAge                           time.Duration
	// EarliestValidTo is the earliest expiry of any material (nil: none
	// expires). When one material expires the whole key stops working.
	EarliestValidTo *time.Time
	RotationsUsed   int
	Due             bool
	Why             []string
	Expiring        []Expiring
	Refused         string // why the key cannot be rotated now ("" when it can)
}

// Age is the current material's age at now.
func (k Key) Age(now time.Time) time.Duration { return now.Sub(k.CurrentSince) }

// NextDue is when the current material passes the maximum age.
func (k Key) NextDue() time.Time { return k.CurrentSince.Add(k.MaxAge) }

// Expiring is a material expiring within the warning window, with its remedy.
type Expiring struct {
	MaterialID, State string
	ValidTo           time.Time
	Remedy            string
}

// Run is one rotation run with its keys' step timelines.
type Run struct {
	ID, Strategy, Status, Operator, ChangeRef, Error string
	Created, Updated                                 time.Time
	Keys                                             []RunKey
}

// RunKey is one key of a run.
type RunKey struct {
	KeyARN, Alias, Step, Error string
	Steps                      []StepEvent
}

// StepEvent is one journal record.
type StepEvent struct {
	Step, Phase string
	At          time.Time
	Detail      string // the journal's error text on a failed step
}

// ScanPoint is one saved scan, for the compliance trend.
type ScanPoint struct {
	ID                              int64
	At                              time.Time
	Total, Compliant, NonCompliant  int
	NotApplicable, InsufficientData int
	Exempted                        int // covered by a live estate exception
}

// Audit is the audit chain status and its latest entries.
type Audit struct {
	Checked  time.Time
	OK       bool
	Entries  int
	Head     string
	Problems []string
	Recent   []AuditEntry
}

// AuditEntry is one audit record as shown (identifiers and digests only).
type AuditEntry struct {
	Seq                                int64
	Time                               time.Time
	Operator, ChangeRef, RunID, KeyARN string
	Strategy, OldMaterial, NewMaterial string
	Outcome                            string
}

// Job is one scheduler job's timing.
type Job struct {
	Name      string // rotate, scan, expiry-check
	Next      time.Time
	Last      time.Time
	LastError string
}

// State is everything the service shows, read at the times recorded in it.
// Each part keeps its last good value and the error of its last refresh,
// so the service keeps serving what it knows and marks it stale.
type State struct {
	Now time.Time // when this State was assembled (service clock)

	Keys     []Key
	KeysAt   time.Time
	KeysErr  string
	Scan     *report.Report
	ScanAt   time.Time
	ScanErr  string
	Scans    []ScanPoint
	Runs     []Run
	RunsErr  string
	Audit    Audit
	AuditErr string
	HSMErr   string
	HSMAt    time.Time

	LastRotation time.Time // last run that succeeded
	Jobs         []Job
	NextWindow   string // human description of the next rotation window
	Windows      []string
	Counts       Counts // derived from Scan (see Count)
}

// Stale reports whether any part failed its last refresh.
func (s State) Stale() bool {
	return s.KeysErr != "" || s.ScanErr != "" || s.RunsErr != "" || s.AuditErr != ""
}
