package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/byok-dev/byok/internal/rotation"
)

// printRollbackRequest prints a rollback's request and, for each bucket,
// what its rollback will do (rotation.S3RollbackPlan).
func printRollbackRequest(w io.Writer, p rotation.Prepared, plans []rotation.S3RollbackPlan, dry, asJSON bool) error {
	if !asJSON {
		if err := printMigrationRequest(w, p, nil, dry, false); err != nil {
			return err
		}
		for _, pl := range plans {
			printS3RollbackPlan(w, pl)
		}
		return nil
	}
	var buf bytes.Buffer
	if err := printMigrationRequest(&buf, p, nil, dry, true); err != nil {
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		return fmt.Errorf("rollback request: %w", err)
	}
	doc["s3_rollback"] = orEmpty(plans)
	return writeJSON(w, doc)
}

func printS3RollbackPlan(w io.Writer, pl rotation.S3RollbackPlan) {
	fmt.Fprintf(w, "bucket %s:\n  restore default encryption %s\n", pl.Bucket, pl.Restore)
	if pl.Inspected {
		fmt.Fprintf(w, "  copy back onto %s: %d on %s of %d current object(s), %d bytes (every object's key read)\n",
			pl.ToKey, pl.ToCopy, pl.FromKey, pl.Current, pl.ToCopyBytes)
		fmt.Fprintf(w, "  left alone: %d already on %s, %d on other keys\n", pl.AlreadyOld, pl.ToKey, pl.OtherKeys)
		if len(pl.Locked) == 0 {
			fmt.Fprintln(w, "  locked (Object Lock retention or legal hold), skipped: none")
		} else {
			fmt.Fprintf(w, "  locked (Object Lock retention or legal hold), skipped and left on %s: %d: %v\n", pl.FromKey, len(pl.Locked), pl.Locked)
		}
	} else {
		fmt.Fprintf(w, "  copy back onto %s: those on %s of %d current object(s), %d bytes, at most (keys not read above %d objects; "+
			"objects on other keys are left alone, locked ones skipped and listed by the run)\n", pl.ToKey, pl.FromKey, pl.Current,
			pl.CurrentBytes, rotation.PlanInspectLimit)
	}
	if pl.Batch {
		fmt.Fprintln(w, "  by an S3 Batch Operations job (above --batch-threshold), its manifest only the objects to copy back")
	}
	fmt.Fprintf(w, "  noncurrent versions untouched: %d\n", pl.Noncurrent)
}
