package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sharedstate"
)

// StateLocationEnv names the environment variable that sets the shared
// state location when --state-location is not given.
const StateLocationEnv = "BYOK_STATE_LOCATION"

// ResolveStateLocation picks the shared state location: the flag, else
// $BYOK_STATE_LOCATION, else the estate's state_location, else none ("").
// It returns where the value came from, for messages.
func ResolveStateLocation(flag, estateValue string) (loc, source string) {
	switch {
	case flag != "":
		return flag, "--state-location"
	case os.Getenv(StateLocationEnv) != "":
		return os.Getenv(StateLocationEnv), "$" + StateLocationEnv
	case estateValue != "":
		return estateValue, "state_location in the estate"
	}
	return "", ""
}

// openShared wires the shared state at o.StateLocation (no-op when empty):
// an S3 client of the Security account in the bucket's Region (asked of
// S3 with HeadBucket, so the bucket may be in any Region), the engine's
// SharedState, and the audit log's shared chain.
func (a *App) openShared(ctx context.Context, o Options) error {
	if o.StateLocation == "" {
		return nil
	}
	loc, err := sharedstate.ParseLocation(o.StateLocation)
	if err != nil {
		return err
	}
	c := a.AWS.S3(o.Estate.SecurityAccount, o.Estate.PrimaryRegion())
	region, err := sharedstate.BucketRegion(ctx, c, loc.Bucket)
	if err != nil {
		return fmt.Errorf("state location %s: %w", loc, err)
	}
	if region != o.Estate.PrimaryRegion() {
		c = a.AWS.S3(o.Estate.SecurityAccount, region)
	}
	a.Shared = &sharedstate.Store{S3: c, Location: loc}
	a.Session = &sharedstate.Session{Store: a.Shared, StaleAfter: o.StaleAfter}
	a.Engine.Shared = a.Session
	a.Engine.Audit = sharedAuditor{inner: a.Engine.Audit, shared: a.Shared}
	return nil
}

// sharedAuditor records each audit entry locally (the working log) and
// then links it into the shared chain; a failed shared append is an error
// of the step, which resume retries (Has asks the local log only, so the
// local entry is not written twice).
type sharedAuditor struct {
	inner  rotation.Auditor
	shared *sharedstate.Store
}

func (s sharedAuditor) Record(ctx context.Context, r rotation.AuditRecord) error {
	if err := s.inner.Record(ctx, r); err != nil {
		return err
	}
	doc, err := json.Marshal(sharedRecord{AuditRecord: r, Time: time.Now().UTC(), Host: hostname()})
	if err != nil {
		return fmt.Errorf("shared audit entry: %w", err)
	}
	if _, err := s.shared.AppendAudit(ctx, doc); err != nil {
		return fmt.Errorf("shared audit entry in %s: %w", s.shared.Location, err)
	}
	return nil
}

func (s sharedAuditor) Has(ctx context.Context, runID, keyARN string) (bool, error) {
	return s.inner.Has(ctx, runID, keyARN)
}

// sharedRecord is the shared chain's copy of an audit record.
type sharedRecord struct {
	rotation.AuditRecord
	Time time.Time `json:"time"`
	Host string    `json:"host"`
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}
