package rotation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// ImportRequest is one `byok import`: a key's first material, or (with
// Reimport) one of its materials imported again from its HSM object.
type ImportRequest struct {
	Key        estate.Key
	Reimport   bool
	MaterialID string // with Reimport: which material ("" = the current one)
	// ValidTo makes the imported material expire (nil: it does not).
	ValidTo   *time.Time
	ChangeRef string
}

// Errors of PrepareImport (each in a *Refusal with a hint).
var (
	// ErrHasMaterial: a first import into a key whose material must be
	// imported again (byok import --reimport does it).
	ErrHasMaterial = errors.New("key already has key material")
	// ErrImportKeyState: the key cannot take material in its state.
	ErrImportKeyState = errors.New("key state does not allow importing material")
	// ErrNothingToImport: the key already has what the import asks for.
	ErrNothingToImport = errors.New("nothing to import")
)

// NothingToImportError says why an import has nothing to do (a second
// byok import): not a failure, the CLI exits 0 with it.
type NothingToImportError struct {
	Alias string
	Why   string
}

func (e *NothingToImportError) Error() string {
	return fmt.Sprintf("%s: %v: %s", e.Alias, ErrNothingToImport, e.Why)
}

func (e *NothingToImportError) Unwrap() error { return ErrNothingToImport }

// PrepareImport decides an import from what KMS says of the key now: one
// item following ImportFirst or ImportExisting, a *NothingToImportError
// when the key already has it, or a *Refusal. It changes nothing; a dry
// run prints the item and StartPrepared runs exactly it.
func (e *Engine) PrepareImport(ctx context.Context, r ImportRequest) (Prepared, error) {
	if !e.inEstate(r.Key) {
		return Prepared{}, &Refusal{KeyARN: r.Key.AliasARN(), Err: ErrKeyNotInEstate,
			Hint: "byok imports only into the keys the estate file describes (byok estate show lists them)"}
	}
	st, err := Inspect(ctx, e.securityKMS(r.Key.Region), r.Key.AliasARN())
	if err != nil {
		return Prepared{}, fmt.Errorf("import into %s: %w", r.Key.Alias, err)
	}
	if err := e.importLocked(ctx, r.Key, st.ARN); err != nil {
		return Prepared{}, err
	}
	it, err := decideImport(r, st)
	if err != nil {
		return Prepared{}, err
	}
	return Prepared{Selector: Selector{Key: r.Key.Alias, ValidTo: r.ValidTo}, Strategy: estate.Strategy(it.Strategy.String()),
		ChangeRef: r.ChangeRef, Items: []Item{it}}, nil
}

// decideImport is the one decision of an import (a dry run, the run and
// its admission all call it): which procedure, which material.
func decideImport(r ImportRequest, st KeyStatus) (Item, error) {
	if err := importable(r.Key.Alias, st); err != nil {
		return Item{}, err
	}
	if !r.Reimport {
		return decideFirst(r, st)
	}
	want := r.MaterialID
	if want == "" {
		want = st.CurrentID
	}
	m, ok := materialByID(st, want)
	if !ok || want == "" {
		return Item{}, &Refusal{KeyARN: st.ARN, Err: fmt.Errorf("%w: %q", ErrMaterialGone, want),
			Hint: "byok plan --key " + r.Key.Alias + " lists the key's materials; name one with --material-id"}
	}
	run, err := store.ParseRunID(m.Description)
	if err != nil {
		return Item{}, &Refusal{KeyARN: st.ARN, Err: fmt.Errorf("material %s: %w", m.ID, ErrNotByokMaterial),
			Hint: ExpiringMaterial{ID: m.ID, Description: m.Description}.Hint(r.Key.Alias)}
	}
	if settled(m, r.ValidTo) {
		return Item{}, &NothingToImportError{Alias: r.Key.Alias, Why: fmt.Sprintf("material %s is imported and %s", m.ID, expiryText(m.ValidTo))}
	}
	return Item{Key: r.Key, KeyARN: st.ARN, Strategy: ImportExisting, MaterialID: m.ID, HSMLabel: KeyHSMLabel(run, r.Key),
		Admission: store.AdmissionAdmitted, Steps: Steps(ImportExisting, len(r.Key.Replicas) > 0)}, nil
}

// decideFirst: a key without material gets its first; a key whose
// material expired needs --reimport; any other key has material already.
func decideFirst(r ImportRequest, st KeyStatus) (Item, error) {
	if len(st.Materials) == 0 && st.CurrentID == "" {
		return Item{Key: r.Key, KeyARN: st.ARN, Strategy: ImportFirst, Admission: store.AdmissionAdmitted,
			Steps: Steps(ImportFirst, len(r.Key.Replicas) > 0)}, nil
	}
	if pi := st.PendingImport(); len(pi) > 0 {
		return Item{}, &Refusal{KeyARN: st.ARN, Err: fmt.Errorf("%w: material %s must be imported again (ImportState PENDING_IMPORT)", ErrHasMaterial, pi[0].ID),
			Hint: fmt.Sprintf("byok import --key %s --reimport --material-id %s", r.Key.Alias, pi[0].ID)}
	}
	return Item{}, &NothingToImportError{Alias: r.Key.Alias, Why: fmt.Sprintf("the key already has key material %s (key %s); "+
		"rotate it with byok rotate --key %s", st.CurrentID, st.State, r.Key.Alias)}
}

// importable refuses a key KMS will not import into.
func importable(alias string, st KeyStatus) error {
	if st.Origin != types.OriginTypeExternal {
		return &Refusal{KeyARN: st.ARN, Err: fmt.Errorf("%w (origin %s)", ErrNotExternal, st.Origin),
			Hint: "only keys created with Origin EXTERNAL take imported material; check that " + alias + " targets the right key"}
	}
	switch st.State {
	case types.KeyStateEnabled, types.KeyStatePendingImport:
		return nil
	case types.KeyStateDisabled: // verify could not use it
		return &Refusal{KeyARN: st.ARN, Err: fmt.Errorf("%w: %s", ErrImportKeyState, st.State),
			Hint: "enable it first (aws kms enable-key --key-id " + st.ARN + "), then run byok import again"}
	}
	return &Refusal{KeyARN: st.ARN, Err: fmt.Errorf("%w: %s", ErrImportKeyState, st.State),
		Hint: "a key pending deletion can be restored with aws kms cancel-key-deletion; then run byok import again"}
}

// settled reports whether m is imported with the wanted expiry (nil: none).
func settled(m Material, want *time.Time) bool {
	return m.ImportState != types.ImportStatePendingImport && sameExpiry(m.ValidTo, want)
}

// sameExpiry compares expiries to the second (the wire's precision).
func sameExpiry(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Truncate(time.Second).Equal(b.Truncate(time.Second))
}

func expiryText(v *time.Time) string {
	if v == nil {
		return "does not expire"
	}
	return "expires at " + v.UTC().Format(time.RFC3339) + " as asked"
}
