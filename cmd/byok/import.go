package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/keyimport"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{Name: "import", Summary: "HSM → wrap → import: first material of a key, or --reimport of expired material",
		Main: importCmd})
}

// Errors of byok import.
var (
	errHasMaterial = errors.New("key already has key material; rotate it with byok rotate (or recover expired material with --reimport)")
	errNoByokDesc  = errors.New("the material was not imported by byok (its KeyMaterialDescription names no byok run), so byok cannot find its HSM object")
)

func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", "--key ALIAS [--reimport [--material-id ID]] [--valid-for D]",
		"Generate AES-256 material in the HSM (or, with --reimport, reuse the retained HSM object of the\n"+
			"key's material), get import parameters, wrap inside the HSM, check the blob's SHA-256 and\n"+
			"import. --reimport brings back material that expired or was deleted (EXISTING_KEY_MATERIAL):\n"+
			"same KeyMaterialId, and old ciphertexts decrypt again.")
	f := addRotationFlags(fs)
	sel := keySelection{env: new(string), service: new(string), key: fs.String("key", "", "alias (e.g. alias/prod/rds)")}
	reimport := fs.Bool("reimport", false, "re-import existing material from its HSM object")
	materialID := fs.String("material-id", "", "with --reimport: which material (default: the current one)")
	validFor := fs.Duration("valid-for", 0, "make the material expire after this long (default: never)")
	fs.SetOutput(stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *sel.key == "" {
		return errors.New("give --key ALIAS")
	}
	f.stateMode = store.ModeCreate
	env, err := openRotation(ctx, f, true, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	keys, err := sel.pick(env.est)
	if err != nil {
		return err
	}
	req := importReq{key: keys[0], reimport: *reimport, materialID: *materialID, validFor: *validFor}
	id, err := runImport(ctx, env, req)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported into %s: KeyMaterialId %s\n", keys[0].Alias, id)
	return nil
}

type importReq struct {
	key        estate.Key
	reimport   bool
	materialID string
	validFor   time.Duration
}

func runImport(ctx context.Context, env *rotationEnv, r importReq) (string, error) {
	k := env.engine.Clients.KMS(env.est.SecurityAccount, r.key.Region)
	st, err := rotation.Inspect(ctx, k, r.key.AliasARN())
	if err != nil {
		return "", err
	}
	label, spec, err := importTarget(st, r)
	if err != nil {
		return "", err
	}
	im := &keyimport.Importer{KMS: k, HSM: env.hsm, Algorithm: env.engine.Algorithm, KeySpec: env.est.Policy.Wrapping.KeySpec}
	if r.validFor > 0 {
		v := time.Now().Add(r.validFor).UTC()
		spec.ValidTo = &v
	}
	res, err := im.Run(ctx, keyimport.Request{KeyID: st.ARN, Source: keyimport.Source{Label: label, Generate: !r.reimport}, Import: spec})
	return res.MaterialID, err
}

// importTarget decides the HSM label and the import: a first import gets
// a fresh import run ID (recorded as KeyMaterialDescription, which is how
// --reimport later finds the HSM object); a re-import reads the run ID
// back from the material's description.
func importTarget(st rotation.KeyStatus, r importReq) (string, keyimport.Import, error) {
	if !r.reimport {
		if len(st.Materials) > 0 || st.CurrentID != "" {
			return "", keyimport.Import{}, errHasMaterial
		}
		run := store.NewRunID(time.Now()).String()
		return keyimport.Label(run, r.key.Alias), keyimport.Import{Type: types.ImportTypeNewKeyMaterial, Description: run}, nil
	}
	want := r.materialID
	if want == "" {
		want = st.CurrentID
	}
	for _, m := range st.Materials {
		if m.ID != want {
			continue
		}
		if _, err := store.ParseRunID(m.Description); err != nil {
			return "", keyimport.Import{}, fmt.Errorf("material %s: %w", m.ID, errNoByokDesc)
		}
		return keyimport.Label(m.Description, r.key.Alias),
			keyimport.Import{Type: types.ImportTypeExistingKeyMaterial, Description: m.Description, MaterialID: m.ID}, nil
	}
	return "", keyimport.Import{}, fmt.Errorf("key %s has no material %q (byok plan --key %s lists them)", st.ARN, want, r.key.Alias)
}
