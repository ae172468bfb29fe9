package main

import (
	"context"
	"fmt"
	"io"

	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{
		Name:    "audit verify-shared",
		Summary: "check the shared audit chain at the state location, and that it holds this state file's entries",
		Main:    auditVerifyShared,
	})
}

func auditVerifyShared(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("audit verify-shared", "[--state-location s3://BUCKET/PREFIX] [--estate FILE] [--state FILE] [--format table|json]",
		"Read the shared audit chain at the state location (in the Security account) and check every\n"+
			"link's hash, each predecessor and the head object against the last link; then check that\n"+
			"every entry of this state file's audit log made since the shared chain began is in it (by run\n"+
			"and key). Exit 0 when both hold, 1 naming what is broken or missing.")
	f := addRotationFlags(fs)
	format := addFormatFlag(fs, "json")
	fs.SetOutput(stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := format.check("audit verify-shared"); err != nil {
		return err
	}
	f.stateMode = store.ModeReadIfExists
	env, err := openRotation(ctx, f, false, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	local, err := env.app.Audit.List(ctx)
	if err != nil {
		return err
	}
	rep, err := env.app.VerifySharedAudit(ctx, local)
	if err != nil {
		return &exitError{Code: 1, Err: err}
	}
	if format.is("json") {
		if err := writeJSON(stdout, rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "shared chain %s: %d entries, head seq %d hash %s\n", rep.Location, rep.Entries, rep.HeadSeq, rep.HeadHash)
		for _, m := range rep.Missing {
			fmt.Fprintf(stdout, "MISSING from the shared chain: %s\n", m)
		}
	}
	if len(rep.Missing) > 0 {
		return &exitError{Code: 1, Err: fmt.Errorf("%d local audit entr(ies) missing from the shared chain", len(rep.Missing))}
	}
	return nil
}
