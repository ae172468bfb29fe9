package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{Name: "import", Summary: "HSM → wrap → import: first material of a key, or --reimport of expired material (journaled run)",
		Main: importCmd})
}

func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", "--key ALIAS [--reimport [--material-id ID]] [--valid-for D] [--change-ref REF] [--dry-run] [--yes] [--format table|json]",
		"Generate AES-256 material in the HSM (or, with --reimport, reuse the retained HSM object of the\n"+
			"key's material), get import parameters, wrap inside the HSM, check the blob's SHA-256 and\n"+
			"import. --reimport brings back material that expired or was deleted (EXISTING_KEY_MATERIAL):\n"+
			"same KeyMaterialId, and old ciphertexts decrypt again. A journaled run like a rotation's\n"+
			"(byok runs show, byok resume RUN after a kill, an audit entry, the key locked meanwhile);\n"+
			"--dry-run prints exactly the steps --yes runs; a key that already has what the import asks\n"+
			"for is left alone and byok says so (exit 0).")
	f := addRotationFlags(fs)
	sel := keySelection{env: new(string), service: new(string), key: fs.String("key", "", "alias (e.g. alias/prod/rds)")}
	reimport := fs.Bool("reimport", false, "import existing material again from its HSM object")
	materialID := fs.String("material-id", "", "with --reimport: which material (default: the current one)")
	validFor := fs.Duration("valid-for", 0, "make the material expire this long from now (default: never)")
	changeRef := fs.String("change-ref", "", "change reference recorded in the audit log")
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	dry := fs.Bool("dry-run", false, "show the key and steps the import would run; change nothing")
	format := addFormatFlag(fs, "json")
	fs.SetOutput(stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := format.check("import"); err != nil {
		return err
	}
	if err := checkImportFlags(fs.NArg(), *sel.key, *reimport, *materialID, *validFor); err != nil {
		return err
	}
	f.stateMode = map[bool]store.Mode{false: store.ModeCreate, true: store.ModeReadIfExists}[*dry]
	env, err := openRotation(ctx, f, !*dry, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	keys, err := sel.pick(env.est)
	if err != nil {
		return err
	}
	r := rotation.ImportRequest{Key: keys[0], Reimport: *reimport, MaterialID: *materialID, ChangeRef: *changeRef}
	if *validFor > 0 {
		v := time.Now().Add(*validFor).UTC().Truncate(time.Second)
		r.ValidTo = &v
	}
	return runImport(ctx, env, r, importOpts{yes: *yes, dry: *dry, json: format.is("json")}, stdout, stderr)
}

func checkImportFlags(nargs int, key string, reimport bool, materialID string, validFor time.Duration) error {
	switch {
	case nargs != 0:
		return usageError("import", "byok import takes no arguments: name the key with --key ALIAS")
	case key == "":
		return usageError("import", "give --key ALIAS")
	case materialID != "" && !reimport:
		return usageError("import", "--material-id names a material to import again: add --reimport")
	case validFor < 0:
		return usageError("import", "--valid-for must be positive (or 0: the material does not expire)")
	}
	return nil
}

type importOpts struct{ yes, dry, json bool }

// runImport decides the import (rotation.Engine.PrepareImport) and either
// prints it (--dry-run) or runs exactly it as a journaled run: the dry run
// and the run cannot disagree. Nothing to do is not an error.
func runImport(ctx context.Context, env *rotationEnv, r rotation.ImportRequest, o importOpts, stdout, stderr io.Writer) error {
	p, err := env.engine.PrepareImport(ctx, r)
	var none *rotation.NothingToImportError
	if errors.As(err, &none) {
		fmt.Fprintln(stdout, none.Error())
		return nil
	}
	if err != nil {
		return err
	}
	if err := printPrepared(stdout, env, p, o.dry, o.json); err != nil || o.dry {
		return err
	}
	if !o.yes && !confirmText(stderr, fmt.Sprintf("import key material into %s?", r.Key.Alias)) {
		return errors.New("not confirmed; pass --yes to import without a prompt")
	}
	env.engine.Progress = timedProgressPrinter(ctx, stderr, env.engine.WatchWindow)
	id, err := env.engine.StartPrepared(ctx, p, nil)
	skipped, rerr := reportImport(ctx, stdout, env, id, r.Key.Alias)
	if rerr != nil {
		return errors.Join(err, rerr)
	}
	if err == nil && skipped {
		fmt.Fprintf(stdout, "run %s ended with nothing to do\n", id)
		return nil
	}
	return reportRun(stdout, id, err)
}

// reportImport says what the run did to the key, from its journal: the
// material imported, or why nothing was (a key that got its material
// between the decision and the admission).
func reportImport(ctx context.Context, w io.Writer, env *rotationEnv, id store.RunID, alias string) (skipped bool, err error) {
	if id == "" {
		return false, nil
	}
	rqs, err := env.store.ListRequestKeys(context.WithoutCancel(ctx), id)
	if err != nil {
		return false, err
	}
	for _, rq := range rqs {
		if rq.Admission == store.AdmissionSkipped {
			fmt.Fprintf(w, "nothing imported into %s: %s\n", alias, rq.Reason)
			skipped = true
			continue
		}
		if rq.KeyARN == "" {
			continue
		}
		rk, err := env.store.GetRunKey(context.WithoutCancel(ctx), id, rq.KeyARN)
		switch {
		case err != nil || rk.NewMaterialID == "":
		case rk.BlobSHA256 == "": // KMS showed it imported as asked when the run planned
			fmt.Fprintf(w, "%s: KeyMaterialId %s was already imported as asked; this run imported nothing\n", alias, rk.NewMaterialID)
		default:
			fmt.Fprintf(w, "imported into %s: KeyMaterialId %s (wrapped blob SHA-256 %s)\n", alias, rk.NewMaterialID, rk.BlobSHA256)
		}
	}
	return skipped, nil
}
