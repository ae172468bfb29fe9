package rotation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/retire"
	"github.com/byok-dev/byok/internal/store"
)

// RetireChecker reads and judges whether a key may be retired
// (retire.Sources: a scan, object versions, every account's CloudTrail,
// aliases and the estate's keys).
type RetireChecker interface {
	Check(ctx context.Context, keyARN string, quiet time.Duration, now time.Time) (retire.Decision, error)
}

// RetireOptions are a retire request's settings; the run's selector
// records them so that a resume judges by the same rule.
type RetireOptions struct {
	QuietFor    time.Duration `json:"quiet_for"`
	DisabledFor time.Duration `json:"disabled_for,omitempty"`
	PendingDays int32         `json:"pending_window_days,omitempty"`
}

// Pending window bounds of ScheduleKeyDeletion (days).
const (
	MinPendingDays = 7
	MaxPendingDays = 30
)

// RetireRequest is one byok retire: a key and what to do with it.
type RetireRequest struct {
	// Key is a key ID, key ARN, alias name or alias ARN in the Security
	// account; Region is used when Key carries none.
	Key, Region string
	Strategy    Strategy // Retire, RetireUndo or ScheduleDeletion
	Options     RetireOptions
	ChangeRef   string
}

// RetirePlan is a retire request decided: the prepared run (one key) and
// what it was decided on. Blocked is set when the key may not be retired
// (or deleted) now; Decision lists who and what stands in the way.
type RetirePlan struct {
	Prepared Prepared
	KeyARN   string
	KeyState string
	Decision retire.Decision
	// DisabledSince is when the key was disabled (schedule-deletion).
	DisabledSince time.Time
	Blocked       error
}

// Retire errors.
var (
	// ErrRetireBlocked: something still uses the key (Decision says what).
	ErrRetireBlocked = errors.New("the key is still in use")
	// ErrNothingToDo: the key is already in the state asked for.
	ErrNothingToDo = errors.New("nothing to do")
	// ErrNotRetired: schedule-deletion of a key byok did not disable, or
	// not long enough ago.
	ErrNotRetired = errors.New("the key has not been retired long enough")
	// ErrRetireState: the key is in a state the procedure cannot start from.
	ErrRetireState = errors.New("key state does not allow it")
	// ErrRetireOptions: a retire option out of range.
	ErrRetireOptions = errors.New("invalid retire option")
)

// AlreadyError says the key already is where the request would take it.
type AlreadyError struct {
	KeyARN string
	What   string
}

func (e *AlreadyError) Error() string {
	return fmt.Sprintf("%s %s; %v", e.KeyARN, e.What, ErrNothingToDo)
}

func (e *AlreadyError) Unwrap() error { return ErrNothingToDo }

// now is the engine's clock (the service's clock in tests).
func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// PrepareRetire decides a retire request without changing anything: a
// dry run prints the plan, RetirePrepared runs exactly it. A key already
// in the requested state is an *AlreadyError.
func (e *Engine) PrepareRetire(ctx context.Context, req RetireRequest) (RetirePlan, error) {
	if err := req.Options.check(req.Strategy); err != nil {
		return RetirePlan{}, err
	}
	md, err := e.describeRetireKey(ctx, req)
	if err != nil {
		return RetirePlan{}, err
	}
	rp := RetirePlan{KeyARN: aws.ToString(md.Arn), KeyState: string(md.KeyState)}
	if err := e.retireStateCheck(req.Strategy, md); err != nil {
		return rp, err
	}
	rp.Decision, rp.DisabledSince, rp.Blocked = e.retireEvidence(ctx, req.Strategy, rp.KeyARN, req.Options)
	if rp.Blocked != nil && !isBlock(rp.Blocked) {
		return rp, rp.Blocked
	}
	sel := Selector{Key: req.Key, Retire: &req.Options}
	rp.Prepared = Prepared{Selector: sel, Strategy: estate.Strategy(req.Strategy.String()), ChangeRef: req.ChangeRef,
		Items: []Item{{Key: e.retireKey(rp.KeyARN), KeyARN: rp.KeyARN, Strategy: req.Strategy,
			Admission: store.AdmissionAdmitted, Steps: Steps(req.Strategy, false)}}}
	if rp.Blocked != nil {
		rp.Prepared.Items[0].Admission, rp.Prepared.Items[0].Reason = store.AdmissionRefused, rp.Blocked.Error()
	}
	return rp, nil
}

func isBlock(err error) bool {
	return errors.Is(err, ErrRetireBlocked) || errors.Is(err, ErrNotRetired)
}

func (o RetireOptions) check(s Strategy) error {
	switch {
	case s != Retire && s != RetireUndo && s != ScheduleDeletion:
		return fmt.Errorf("strategy %s: %w (want retire, retire-undo or schedule-deletion)", s, ErrUnknownStrategy)
	case s != RetireUndo && (o.QuietFor <= 0 || o.QuietFor > retire.MaxQuiet):
		return fmt.Errorf("%w: --quiet-for %s must be more than 0 and at most 90d (CloudTrail LookupEvents holds 90 days)", ErrRetireOptions, o.QuietFor)
	case s == ScheduleDeletion && o.DisabledFor < 0:
		return fmt.Errorf("%w: --disabled-for %s must not be negative", ErrRetireOptions, o.DisabledFor)
	case s == ScheduleDeletion && (o.PendingDays < MinPendingDays || o.PendingDays > MaxPendingDays):
		return fmt.Errorf("%w: --pending-window-days %d must be between %d and %d (KMS's limits)", ErrRetireOptions, o.PendingDays, MinPendingDays, MaxPendingDays)
	}
	return nil
}

// describeRetireKey resolves the requested key in the Security account.
func (e *Engine) describeRetireKey(ctx context.Context, req RetireRequest) (*types.KeyMetadata, error) {
	region := req.Region
	if strings.HasPrefix(req.Key, "arn:") {
		region = regionOf(req.Key)
	}
	if region == "" {
		region = e.Estate.PrimaryRegion()
	}
	d, err := e.securityKMS(region).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(req.Key)})
	if err != nil {
		return nil, fmt.Errorf("describe %s in the Security account (%s): %w", req.Key, region, err)
	}
	if acct := aws.ToString(d.KeyMetadata.AWSAccountId); acct != e.Estate.SecurityAccount {
		return nil, fmt.Errorf("%s belongs to account %s, not the Security account %s: %w", req.Key, acct, e.Estate.SecurityAccount, ErrKeyNotInEstate)
	}
	return d.KeyMetadata, nil
}

// retireStateCheck refuses a start state the procedure cannot leave from,
// and says so when there is nothing to do.
func (e *Engine) retireStateCheck(s Strategy, md *types.KeyMetadata) error {
	arn, st := aws.ToString(md.Arn), md.KeyState
	pending := func() string {
		return "is already pending deletion (on " + aws.ToTime(md.DeletionDate).UTC().Format(time.RFC3339) + ")"
	}
	switch {
	case s == Retire && st == types.KeyStateDisabled:
		return &AlreadyError{KeyARN: arn, What: "is already disabled (retired)"}
	case s == Retire && st == types.KeyStatePendingDeletion, s == ScheduleDeletion && st == types.KeyStatePendingDeletion:
		return &AlreadyError{KeyARN: arn, What: pending()}
	case s == RetireUndo && st == types.KeyStateEnabled:
		return &AlreadyError{KeyARN: arn, What: "is enabled; there is no retirement to undo"}
	case s == RetireUndo && st == types.KeyStatePendingDeletion:
		return fmt.Errorf("%s %s: %w; cancel it first (aws kms cancel-key-deletion --key-id %s), then byok retire --undo", arn, pending(), ErrRetireState, arn)
	case s == RetireUndo && st != types.KeyStateDisabled, s == Retire && st != types.KeyStateEnabled:
		return fmt.Errorf("%s is %s: %w", arn, st, ErrRetireState)
	case s == ScheduleDeletion && st != types.KeyStateDisabled:
		return fmt.Errorf("%s is %s: %w: only a retired (disabled) key is scheduled for deletion; run byok retire --key %s first", arn, st, ErrNotRetired, arn)
	}
	return nil
}
