package rotation

import (
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// Refusals: a rotation that would be unsafe is refused before any change.
var (
	ErrNotExternal    = errors.New("key material is not imported (Origin is not EXTERNAL); byok rotates only BYOK keys")
	ErrKeyState       = errors.New("key is not Enabled")
	ErrForeignPending = errors.New("key has pending key material that byok did not import")
	ErrRotationLimit  = errors.New("key has used its 25 on-demand rotations; rotate with --strategy new-key")
	// ErrNewKeyMultiRegion: a new-key rotation would have to replicate the
	// new key, import into every replica and move every Region's alias;
	// byok refuses rather than leave replica Regions on the old key.
	ErrNewKeyMultiRegion = errors.New("new-key rotation of a multi-Region key is not supported")
	// ErrAliasMissing: the estate names an alias that KMS does not have in
	// the key's Region (deleted, never created, or a wrong alias_format).
	ErrAliasMissing = errors.New("alias does not exist in KMS")
)

// AliasMissing turns a failed inspection of k through its alias into a
// refused plan when KMS answered NotFoundException, so one missing alias
// refuses that key only and the other keys are still planned; ok is false
// for any other error.
func AliasMissing(k estate.Key, strategy estate.Strategy, err error, now time.Time) (Plan, bool) {
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		return Plan{}, false
	}
	return Plan{Key: k, Strategy: strategy, Steps: stepsFor(strategy, len(k.Replicas) > 0), At: now,
		Impact: impact(k.Service, strategy),
		Refused: &Refusal{KeyARN: k.AliasARN(), Err: ErrAliasMissing,
			Hint: fmt.Sprintf("create %s in account %s Region %s pointing at the key (aws kms create-alias), or fix alias_format in the estate",
				k.Alias, k.Account, k.Region)}}, true
}

// Refusal explains why a key cannot be rotated, with what to do.
type Refusal struct {
	KeyARN string
	Err    error
	Hint   string
}

func (r *Refusal) Error() string {
	return fmt.Sprintf("%s: %v (hint: %s)", r.KeyARN, r.Err, r.Hint)
}

func (r *Refusal) Unwrap() error { return r.Err }

// Plan is what byok would do for one key.
type Plan struct {
	Key    estate.Key
	Status KeyStatus
	// Due means the key needs a rotation: its current material is older
	// than the policy allows.
	Due bool
	Why []string // reasons it is due (empty when not)
	// Expiring are materials that expire within the warning window. They
	// need a re-import without expiry, not a rotation (see ExpiringMaterial).
	Expiring []ExpiringMaterial
	Strategy estate.Strategy
	Steps    []store.Step
	At       time.Time // when the status was read
	Impact   string
	// Refused is set when the key cannot be rotated now.
	Refused *Refusal
	// Resumable names a pending material this run imported (ours).
	OwnPending string
}

// Decide plans a key from its status: pure, so it is table-tested.
func Decide(k estate.Key, st KeyStatus, pol estate.Policy, strategy estate.Strategy, runID string, now time.Time) Plan {
	p := Plan{Key: k, Status: st, Strategy: strategy, Steps: stepsFor(strategy, len(k.Replicas) > 0), At: now}
	p.Due, p.Why = due(st, pol, now)
	p.Expiring = expiringMaterials(k, st, pol.ExpiryWarning, now)
	p.Impact = impact(k.Service, strategy)
	p.Refused = refusal(k.Alias, st, strategy, runID)
	if p.Refused == nil && strategy == estate.StrategyNewKey && (st.MultiRegion || len(k.Replicas) > 0) {
		p.Refused = &Refusal{KeyARN: st.ARN, Err: ErrNewKeyMultiRegion,
			Hint: "rotate it in place (--strategy in-place): the key ID stays and every replica gets the same material"}
	}
	if m, ok := st.Pending(); ok && m.Description == runID && runID != "" {
		p.OwnPending = m.ID
	}
	return p
}

func due(st KeyStatus, pol estate.Policy, now time.Time) (bool, []string) {
	var why []string
	if age, overdue := compliance.MaterialOverdue(st.CurrentSince, now, pol.MaxMaterialAge); overdue {
		why = append(why, fmt.Sprintf("current material is %d days old (max %d)", days(age), days(pol.MaxMaterialAge)))
	}
	return len(why) > 0, why
}

// ReimportableCount is how many expiring materials byok can re-import.
func (p Plan) ReimportableCount() int {
	n := 0
	for _, m := range p.Expiring {
		if m.Reimportable() {
			n++
		}
	}
	return n
}

func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

func refusal(alias string, st KeyStatus, strategy estate.Strategy, runID string) *Refusal {
	r := func(err error, hint string) *Refusal { return &Refusal{KeyARN: st.ARN, Err: err, Hint: hint} }
	if st.Origin != types.OriginTypeExternal {
		return r(ErrNotExternal, "remove the key from the estate or rotate it with AWS automatic rotation")
	}
	if st.State == types.KeyStatePendingImport && len(st.Materials) == 0 && st.CurrentID == "" {
		return r(fmt.Errorf("%w (state %s: no key material yet)", ErrKeyState, st.State), "import its first material: byok import --key "+alias)
	}
	if st.State != types.KeyStateEnabled {
		return r(fmt.Errorf("%w (state %s)", ErrKeyState, st.State), "enable the key, or re-import expired material with byok import --reimport")
	}
	if m, ok := st.Pending(); ok && (runID == "" || m.Description != runID) {
		if other := otherRunRefusal(st.ARN, m); other != nil {
			return other
		}
		return r(fmt.Errorf("%w: %s (description %q)", ErrForeignPending, m.ID, m.Description),
			"find who imported it (CloudTrail ImportKeyMaterial); rotate it with RotateKeyOnDemand or remove it with DeleteImportedKeyMaterial --key-material-id, then retry")
	}
	if strategy == estate.StrategyInPlace && st.OnDemandRotations >= MaxOnDemandRotations {
		return r(ErrRotationLimit, "use --strategy new-key for this key")
	}
	return nil
}

func stepsFor(s estate.Strategy, multiRegion bool) []store.Step {
	st, err := ParseStrategy(string(s))
	if err != nil {
		return nil
	}
	return Steps(st, multiRegion)
}

func impact(svc estate.Service, s estate.Strategy) string {
	if s == estate.StrategyInPlace {
		return "none: key ID and ARN are unchanged; resources keep working and need no change"
	}
	switch svc {
	case estate.ServiceS3:
		return "S3: no downtime; re-encrypt objects (copy in place) and set the bucket default to the new key"
	case estate.ServiceDynamoDB:
		return "DynamoDB: online; UpdateTable SSESpecification to the new key"
	case estate.ServiceRDS:
		return "RDS: downtime; snapshot → copy with the new key → restore → switch endpoints, in the maintenance window"
	}
	return "resources on the old key must be re-keyed"
}
