package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/rotation"
)

// farBucketRegion is a Region the rotation estate does not list: the
// shared state bucket may be anywhere (byok asks S3 with HeadBucket).
const farBucketRegion = "us-west-2"

// TestImportSharedState: byok import with a shared state location in a
// Region outside the estate is journaled there like a rotation. Killed
// after the import, the key's shared lock names the run: lock status
// reads it without an estate file, runs list and runs show read the run
// from the shared run journal for an operator whose state file does not
// hold it, and that operator's byok import is refused naming the holder
// (not "nothing to import", though the material is there). byok resume
// finishes the run: the lock is gone, the shared journal says done, and
// the shared audit chain holds the import.
func TestImportSharedState(t *testing.T) {
	if testing.Short() {
		t.Skip("process test: skipped with -short")
	}
	rotShm(t)
	w := newRotWorld(t, nil)
	loc := w.farStateBucket(t)
	keyID := w.awaitingMaterial(t, importAlias)
	_, killed, out := w.exec(t, []string{rotation.FailpointEnv + "=import:after"}, "import", "--key", importAlias, "--yes", "--state-location", loc)
	if !killed {
		t.Fatalf("failpoint did not kill byok import:\n%s", out)
	}
	id := w.lastRun(t)
	other := filepath.Join(w.dir, "other.db")
	noEstate := []string{"BYOK_ESTATE="}
	code, _, out := w.exec(t, noEstate, "lock", "status", "--format", "json", "--state", other, "--state-location", loc)
	var rows []lockRow
	if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil || len(rows) != 1 || rows[0].Run != id.String() ||
		rows[0].Scope != "shared" || !rows[0].Stale {
		t.Fatalf("lock status without an estate: exit %d, %v\n%s", code, err, out)
	}
	code, _, out = w.exec(t, noEstate, "runs", "list", "--state", other, "--state-location", loc)
	if code != 0 || !strings.Contains(out, id.String()) || !strings.Contains(out, "(shared: ") {
		t.Fatalf("runs list of the shared journal: exit %d\n%s", code, out)
	}
	code, _, out = w.exec(t, noEstate, "runs", "show", id.String(), "--state", other, "--state-location", loc)
	if code != 0 || !strings.Contains(out, "from the shared run journal in "+loc) || !strings.Contains(out, "step:       import (end)") {
		t.Fatalf("runs show of the shared journal: exit %d\n%s", code, out)
	}
	code, _, out = w.exec(t, nil, "import", "--key", importAlias, "--yes", "--state", other, "--state-location", loc)
	if code == 0 || !strings.Contains(out, "locked in "+loc) || !strings.Contains(out, id.String()) {
		t.Fatalf("another operator's import of the held key: exit %d, want a refusal naming run %s\n%s", code, id, out)
	}
	if code, _, out := w.exec(t, nil, "resume", id.String(), "--state-location", loc); code != 0 {
		t.Fatalf("byok resume %s: exit %d\n%s", id, code, out)
	}
	w.checkImportEnd(t, keyID, id, rotation.ImportFirst)
	if rows := w.lockRows(t, "--state-location", loc); len(rows) != 0 {
		t.Fatalf("locks after the run ended: %+v", rows)
	}
	code, _, out = w.exec(t, noEstate, "runs", "show", id.String(), "--state", other, "--state-location", loc, "--format", "json")
	var rj runJSON
	if err := json.Unmarshal([]byte(out), &rj); code != 0 || err != nil || rj.Status != "done" || rj.Source != "shared" {
		t.Fatalf("shared run journal after the resume: exit %d, %v\n%s", code, err, out)
	}
	if code, _, out := w.exec(t, nil, "audit", "verify-shared", "--state-location", loc); code != 0 {
		t.Fatalf("audit verify-shared: exit %d\n%s", code, out)
	}
}

// farStateBucket creates the shared state bucket in farBucketRegion and
// returns its state location.
func (w *rotWorld) farStateBucket(t *testing.T) string {
	t.Helper()
	cfg := w.sb.Config(context.Background(), w.est.SecurityAccount)
	cfg.Region = farBucketRegion
	_, err := awsx.S3(cfg).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(sharedBucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(farBucketRegion)}})
	if err != nil {
		t.Fatal(err)
	}
	return "s3://" + sharedBucket + "/team"
}
