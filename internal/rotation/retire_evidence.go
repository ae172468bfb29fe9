package rotation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/byok-dev/byok/internal/retire"
	"github.com/byok-dev/byok/internal/store"
)

// BlockedError lists who and what keeps the key from being retired.
type BlockedError struct {
	Decision retire.Decision
}

func (e *BlockedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %v: %d blocker(s)", e.Decision.KeyARN, ErrRetireBlocked, len(e.Decision.Blockers))
	for _, bl := range e.Decision.Blockers {
		b.WriteString("\n  - " + FormatBlocker(bl))
	}
	for _, bl := range e.Decision.Warnings {
		b.WriteString("\n  - warning: " + FormatBlocker(bl))
	}
	return b.String()
}

func (e *BlockedError) Unwrap() error { return ErrRetireBlocked }

// FormatBlocker is one blocker as one line: kind, where, who, what.
func FormatBlocker(bl retire.Blocker) string {
	where := strings.Trim(bl.Account+" "+bl.Region, " ")
	if where != "" {
		where = " [" + where + "]"
	}
	return fmt.Sprintf("%s%s %s: %s", bl.Kind, where, bl.Subject, bl.Detail)
}

// retireEvidence judges whether strategy s may act on keyARN now.
func (e *Engine) retireEvidence(ctx context.Context, s Strategy, keyARN string, o RetireOptions) (retire.Decision, time.Time, error) {
	d := retire.Decision{KeyARN: keyARN, Blockers: []retire.Blocker{}}
	if s == RetireUndo {
		return d, time.Time{}, nil
	}
	if e.Retire == nil {
		return d, time.Time{}, errors.New("no retire checker wired into the engine")
	}
	now := e.now()
	var since time.Time
	if s == ScheduleDeletion {
		var err error
		if since, err = e.disabledSince(ctx, keyARN, now); err != nil {
			return d, since, err
		}
		if now.Sub(since) < o.DisabledFor {
			return d, since, fmt.Errorf("%s: %w: disabled since %s (%s ago); --disabled-for %s allows scheduling its deletion from %s",
				keyARN, ErrNotRetired, since.UTC().Format(time.RFC3339), now.Sub(since).Round(time.Minute), o.DisabledFor,
				since.Add(o.DisabledFor).UTC().Format(time.RFC3339))
		}
	}
	d, err := e.Retire.Check(ctx, keyARN, o.QuietFor, now)
	if err != nil {
		return d, since, err
	}
	if s == ScheduleDeletion {
		// A disabled key is expected here (failed calls on it still
		// count); what a disabled key only suspends, deletion ends for
		// ever: every warning (DB snapshots on the key) blocks.
		d = retire.ForDeletion(d)
	}
	if !d.Retirable() {
		return d, since, &BlockedError{Decision: d}
	}
	return d, since, nil
}

// disabledSince is when keyARN was last disabled: the later of byok's
// last succeeded retire run of it and the Security account's last
// successful DisableKey in CloudTrail after any EnableKey (the latest is
// the conservative choice). Neither known: ErrNotRetired.
func (e *Engine) disabledSince(ctx context.Context, keyARN string, now time.Time) (time.Time, error) {
	since, err := e.lastRetireRun(ctx, keyARN)
	if err != nil {
		return since, err
	}
	trail, err := lastDisableKey(ctx, e.trailFor(e.Estate.SecurityAccount, regionOf(keyARN)), keyARN, now)
	if err != nil {
		return since, err
	}
	if trail.After(since) {
		since = trail
	}
	if since.IsZero() {
		return since, fmt.Errorf("%s: %w: no byok retire run and no DisableKey in the Security account's CloudTrail (90 days) says since when it is disabled; retire it with byok retire --undo then byok retire", keyARN, ErrNotRetired)
	}
	return since, nil
}

// lastRetireRun is when byok's last succeeded retire of keyARN ended
// (zero when an undo followed it, or none).
func (e *Engine) lastRetireRun(ctx context.Context, keyARN string) (time.Time, error) {
	runs, err := e.Store.ListRuns(ctx)
	if err != nil {
		return time.Time{}, err
	}
	var at time.Time
	var undone bool
	for _, r := range runs {
		if r.Status != store.StatusSucceeded || (r.Strategy != Retire.String() && r.Strategy != RetireUndo.String()) {
			continue
		}
		if _, err := e.Store.GetRunKey(ctx, r.ID, keyARN); err != nil {
			continue
		}
		if r.Updated.After(at) {
			at, undone = r.Updated, r.Strategy == RetireUndo.String()
		}
	}
	if undone {
		return time.Time{}, nil
	}
	return at, nil
}

// lastDisableKey reads the Security account's CloudTrail for the newest
// successful DisableKey on keyARN not followed by an EnableKey.
func lastDisableKey(ctx context.Context, t Trail, keyARN string, now time.Time) (time.Time, error) {
	in := &cloudtrail.LookupEventsInput{StartTime: aws.Time(now.Add(-retire.MaxQuiet)), EndTime: aws.Time(now.Add(time.Minute)),
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: aws.String(keyARN)}}}
	var events []cttypes.Event
	p := cloudtrail.NewLookupEventsPaginator(t, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return time.Time{}, fmt.Errorf("read CloudTrail for DisableKey on %s: %w", keyARN, err)
		}
		events = append(events, out.Events...)
	}
	return DisabledAt(events), nil
}

// DisabledAt is the time of the newest successful DisableKey among
// events, zero when none or when a successful EnableKey came after it.
func DisabledAt(events []cttypes.Event) time.Time {
	var disabled, enabled time.Time
	for _, ev := range events {
		var rec struct {
			EventName string `json:"eventName"`
			ErrorCode string `json:"errorCode"`
		}
		if json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &rec) != nil || rec.ErrorCode != "" {
			continue
		}
		at := aws.ToTime(ev.EventTime)
		switch {
		case rec.EventName == "DisableKey" && at.After(disabled):
			disabled = at
		case rec.EventName == "EnableKey" && at.After(enabled):
			enabled = at
		}
	}
	if !enabled.Before(disabled) {
		return time.Time{}
	}
	return disabled
}
