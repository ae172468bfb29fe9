package rotation

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// TestDecideImport: the one decision of byok import (dry run, run and
// admission), per key state and request: which procedure, or WHICH
// refusal, or nothing to do.
func TestDecideImport(t *testing.T) {
	run := store.RunID("r-20261205T100000Z-abcd")
	at := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	later := at.Add(time.Hour)
	atNanos := at.Add(300 * time.Millisecond)
	k := estate.Key{Alias: "alias/dev/s3", Region: "eu-west-1"}
	mat := func(id, desc string, is types.ImportState, validTo *time.Time) Material {
		return Material{ID: id, Description: desc, ImportState: is, ValidTo: validTo, State: types.KeyMaterialStateCurrent}
	}
	key := func(state types.KeyState, cur string, ms ...Material) KeyStatus {
		return KeyStatus{ARN: arnA, Origin: types.OriginTypeExternal, State: state, CurrentID: cur, Materials: ms}
	}
	imported, pending := types.ImportStateImported, types.ImportStatePendingImport
	cases := map[string]struct {
		st       KeyStatus
		r        ImportRequest
		want     Strategy
		material string
		err      error
	}{
		"first into an empty key":         {st: key(types.KeyStatePendingImport, ""), want: ImportFirst},
		"first into a key with material":  {st: key(types.KeyStateEnabled, "m1", mat("m1", run.String(), imported, nil)), err: ErrNothingToImport},
		"first into an expired key":       {st: key(types.KeyStatePendingImport, "m1", mat("m1", run.String(), pending, &at)), err: ErrHasMaterial},
		"AWS-generated key":               {st: KeyStatus{ARN: arnA, Origin: types.OriginTypeAwsKms, State: types.KeyStateEnabled}, err: ErrNotExternal},
		"disabled key":                    {st: KeyStatus{ARN: arnA, Origin: types.OriginTypeExternal, State: types.KeyStateDisabled}, r: ImportRequest{Reimport: true}, err: ErrImportKeyState},
		"key pending deletion":            {st: KeyStatus{ARN: arnA, Origin: types.OriginTypeExternal, State: types.KeyStatePendingDeletion}, err: ErrImportKeyState},
		"reimport expired current":        {st: key(types.KeyStatePendingImport, "m1", mat("m1", run.String(), pending, &at)), r: ImportRequest{Reimport: true}, want: ImportExisting, material: "m1"},
		"reimport named material":         {st: key(types.KeyStatePendingImport, "m2", mat("m1", run.String(), pending, nil), mat("m2", run.String(), imported, nil)), r: ImportRequest{Reimport: true, MaterialID: "m1"}, want: ImportExisting, material: "m1"},
		"reimport unknown material":       {st: key(types.KeyStateEnabled, "m1", mat("m1", run.String(), imported, nil)), r: ImportRequest{Reimport: true, MaterialID: "m9"}, err: ErrMaterialGone},
		"reimport foreign material":       {st: key(types.KeyStatePendingImport, "m1", mat("m1", "from the old HSM", pending, nil)), r: ImportRequest{Reimport: true}, err: ErrNotByokMaterial},
		"reimport of imported, no expiry": {st: key(types.KeyStateEnabled, "m1", mat("m1", run.String(), imported, nil)), r: ImportRequest{Reimport: true}, err: ErrNothingToImport},
		"reimport removes an expiry":      {st: key(types.KeyStateEnabled, "m1", mat("m1", run.String(), imported, &at)), r: ImportRequest{Reimport: true}, want: ImportExisting, material: "m1"},
		"reimport with the same expiry":   {st: key(types.KeyStateEnabled, "m1", mat("m1", run.String(), imported, &atNanos)), r: ImportRequest{Reimport: true, ValidTo: &at}, err: ErrNothingToImport},
		"reimport with a new expiry":      {st: key(types.KeyStateEnabled, "m1", mat("m1", run.String(), imported, &at)), r: ImportRequest{Reimport: true, ValidTo: &later}, want: ImportExisting, material: "m1"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			c.r.Key = k
			it, err := decideImport(c.r, c.st)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err %v, want %v", err, c.err)
				}
				var ref *Refusal
				var none *NothingToImportError
				if !errors.As(err, &ref) && !errors.As(err, &none) {
					t.Fatalf("err %T is neither a *Refusal (with a hint) nor a *NothingToImportError", err)
				}
				return
			}
			if err != nil || it.Strategy != c.want || it.MaterialID != c.material || it.KeyARN != arnA || it.Admission != store.AdmissionAdmitted ||
				len(it.Steps) == 0 {
				t.Fatalf("item %+v, %v; want %s of %q", it, err, c.want, c.material)
			}
			if c.want == ImportExisting && it.HSMLabel != HSMLabel(run, k.Alias) {
				t.Errorf("HSM label %q, want the importing run's", it.HSMLabel)
			}
		})
	}
}
