package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/rotation"
)

// TestImportDryRunEqualsRun: for a first import and a re-import, the JSON
// of byok import --dry-run lists exactly the key, procedure, decision and
// steps that --yes then journals, and the dry run changes nothing (no
// run, the key still awaits its material). Where there is nothing to do,
// the dry run and the run say the same, exit 0, and record no run.
func TestImportDryRunEqualsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("process test: skipped with -short")
	}
	rotShm(t)
	w := newRotWorld(t, nil)
	keyID := w.awaitingMaterial(t, importAlias)
	for _, c := range []struct {
		name string
		args []string
		prep func(t *testing.T)
	}{
		{"first", []string{"--key", importAlias}, nil},
		{"reimport", []string{"--key", importAlias, "--reimport"}, func(t *testing.T) {
			_, err := w.kms("eu-west-1").DeleteImportedKeyMaterial(context.Background(), &kms.DeleteImportedKeyMaterialInput{KeyId: aws.String(keyID)})
			if err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.prep != nil {
				c.prep(t)
			}
			before := w.runIDs(t)
			dry := w.importDryRun(t, c.args...)
			if len(w.runIDs(t)) != len(before) || w.describeKey(t, keyID).KeyState != types.KeyStatePendingImport {
				t.Fatal("byok import --dry-run changed something")
			}
			if len(dry.Keys) != 1 || dry.Keys[0].Admission != "admitted" {
				t.Fatalf("dry run %+v", dry)
			}
			args := append([]string{"import", "--yes"}, c.args...)
			if code, _, out := w.exec(t, nil, args...); code != 0 {
				t.Fatalf("byok %s: exit %d\n%s", strings.Join(args, " "), code, out)
			}
			w.compareWithJournal(t, dry, w.newRun(t, before))
			// now there is nothing to do: the dry run and the run say so alike
			before = w.runIDs(t)
			_, _, dryOut := w.exec(t, nil, append([]string{"import", "--dry-run"}, c.args...)...)
			code, _, out := w.exec(t, nil, args...)
			if code != 0 || !strings.Contains(out, "nothing to import") || !strings.Contains(out, firstLine(strings.TrimSpace(dryOut))) || len(w.runIDs(t)) != len(before) {
				t.Errorf("nothing to do: dry run %q, run exit %d %q (want the same no-op, no run)", dryOut, code, out)
			}
		})
	}
}

// importDryRun runs byok import --dry-run --format json and parses stdout.
func (w *rotWorld) importDryRun(t *testing.T, sel ...string) rotation.SavedPlan {
	t.Helper()
	args := append([]string{"import", "--dry-run", "--format", "json"}, sel...)
	cmd := exec.Command(rotBinary(t), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("byok %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	sp, err := rotation.ParseSavedPlan(out.Bytes())
	if err != nil {
		t.Fatalf("dry run JSON: %v\n%s", err, out.String())
	}
	return sp
}
