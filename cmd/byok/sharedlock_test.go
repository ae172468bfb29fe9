package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sharedstate"
	"github.com/byok-dev/byok/internal/store"
)

const sharedBucket = "byok-state-111111111111"

// stateBucket creates the shared state bucket in the Security account and
// returns the state location and a store reading it.
func (w *rotWorld) stateBucket(t *testing.T) (string, *sharedstate.Store) {
	t.Helper()
	c := awsx.S3(w.sb.Config(context.Background(), w.est.SecurityAccount))
	_, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(sharedBucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(w.sb.Region())}})
	if err != nil {
		t.Fatal(err)
	}
	return "s3://" + sharedBucket + "/team", &sharedstate.Store{S3: c, Location: sharedstate.Location{Bucket: sharedBucket, Prefix: "team"}}
}

// lockRows runs byok lock status --format json with args.
func (w *rotWorld) lockRows(t *testing.T, args ...string) []lockRow {
	t.Helper()
	code, stdout, out := w.execStdout(t, append([]string{"lock", "status", "--format", "json"}, args...)...)
	var rows []lockRow
	if err := json.Unmarshal([]byte(stdout), &rows); code != 0 || err != nil {
		t.Fatalf("lock status: exit %d, %v\n%s", code, err, out)
	}
	return rows
}

// TestSharedLockAcrossStateFiles: two operators with different local state
// files and one shared state location rotate the same key at once: the
// second is refused naming the holder and changes nothing. Killed, the
// holder shows stale in lock status; the follow-up command byok prints
// (lock release --force) frees the key, audited locally and in the
// shared chain; a second release is a no-op; the killed run resumes to
// its end from its own state file.
func TestSharedLockAcrossStateFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("process test: skipped with -short")
	}
	rotShm(t)
	w := newRotWorld(t, nil)
	arn, replica := w.rotKey(t)
	oldCur, oldMats := w.materials(t, arn, "eu-west-1")
	loc, shared := w.stateBucket(t)
	other := filepath.Join(w.dir, "other.db")
	first := exec.Command(rotBinary(t), "rotate", "--key", rotAlias, "--yes", "--watch", "10m", "--state-location", loc)
	var firstOut bytes.Buffer
	first.Stdout, first.Stderr = &firstOut, &firstOut
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = first.Process.Kill() }()
	w.waitForStep(t, arn, store.StepWatch)
	id := w.lastRun(t)
	pid := strconv.Itoa(first.Process.Pid)
	_, before := w.materials(t, arn, "eu-west-1")
	code, _, out := w.exec(t, nil, "rotate", "--key", rotAlias, "--yes", "--state", other, "--state-location", loc)
	if code == 0 || !strings.Contains(out, "locked in "+loc) || !strings.Contains(out, "process "+pid) || !strings.Contains(out, id.String()) {
		t.Fatalf("second operator: exit %d, want a refusal naming run %s, process %s:\n%s", code, id, pid, out)
	}
	if _, after := w.materials(t, arn, "eu-west-1"); len(after) != len(before) {
		t.Fatalf("the refused rotate changed the key's materials: %d → %d", len(before), len(after))
	}
	rows := w.lockRows(t, "--state", other, "--state-location", loc)
	if len(rows) != 1 || rows[0].Run != id.String() || rows[0].PID != first.Process.Pid || rows[0].Stale || rows[0].Holder == "" {
		t.Fatalf("lock status while the holder lives: %+v", rows)
	}
	code, _, out = w.exec(t, nil, "lock", "release", "--force", "--reason", "test", rotAlias, "--state", other, "--state-location", loc)
	if code != 1 || !strings.Contains(out, "alive") || !strings.Contains(out, pid) {
		t.Fatalf("release of a live holder: exit %d\n%s", code, out)
	}
	_ = first.Process.Signal(syscall.SIGKILL)
	_ = first.Wait()
	w.output.Write(firstOut.Bytes())
	rows = w.lockRows(t, "--state", other, "--state-location", loc, "--stale-after", "1h")
	if len(rows) != 1 || !rows[0].Stale || !strings.Contains(rows[0].StaleReason, "not running") {
		t.Fatalf("lock status after SIGKILL: %+v", rows)
	}
	// A third rotate is refused too, now with the command that frees the key.
	code, _, out = w.exec(t, nil, "rotate", "--key", rotAlias, "--yes", "--state", other, "--state-location", loc)
	if code == 0 || !strings.Contains(out, "byok lock release") || !strings.Contains(out, "--force --reason") {
		t.Fatalf("rotate after the holder died: exit %d\n%s", code, out)
	}
	ran := w.runFollowUps(t, out, "")
	if !slices.ContainsFunc(ran, func(c string) bool {
		return strings.HasPrefix(c, "byok lock release --state "+other+" --state-location "+loc)
	}) {
		t.Fatalf("follow-ups run: %q", ran)
	}
	if rows := w.lockRows(t, "--state", other, "--state-location", loc); len(rows) != 0 {
		t.Fatalf("after lock release: %+v", rows)
	}
	code, _, out = w.exec(t, nil, "lock", "release", "--force", "--reason", "again", rotAlias, "--state", other, "--state-location", loc)
	if code != 0 || !strings.Contains(out, "nothing to release") {
		t.Fatalf("second release: exit %d\n%s", code, out)
	}
	w.checkReleaseAudited(t, other, shared, id, arn)
	if code, _, out := w.exec(t, nil, "resume", id.String(), "--state-location", loc); code != 0 {
		t.Fatalf("resume of the killed run: exit %d\n%s", code, out)
	}
	w.checkEnd(t, id, arn, replica, oldCur, len(oldMats))
	if rows := w.lockRows(t, "--state-location", loc); len(rows) != 0 {
		t.Fatalf("locks after the run ended: %+v", rows)
	}
}

// checkReleaseAudited: the forced release is in the releasing operator's
// audit log and in the shared chain, naming the run and the key.
func (w *rotWorld) checkReleaseAudited(t *testing.T, statePath string, shared *sharedstate.Store, id store.RunID, arn string) {
	t.Helper()
	code, _, out := w.exec(t, nil, "audit", "show", "--state", statePath, "--format", "json")
	if code != 0 || !strings.Contains(out, `"lock-released"`) || !strings.Contains(out, id.String()) {
		t.Fatalf("audit show: exit %d\n%s", code, out)
	}
	es, err := shared.AuditEntries(context.Background())
	if err != nil || len(es) == 0 {
		t.Fatalf("shared chain: %d entries, %v", len(es), err)
	}
	last := string(es[len(es)-1].Entry)
	if !strings.Contains(last, "lock-released") || !strings.Contains(last, arn) {
		t.Fatalf("last shared entry: %s", last)
	}
}

// TestLocalStateDetectsRunFromKMS: with local state files only, a second
// operator finds the first's run in KMS (its pending material's
// description is that run's ID) and is refused without touching it, with
// no hint to delete it; the follow-up commands it prints work; the first
// run resumes to its end from its own state file.
func TestLocalStateDetectsRunFromKMS(t *testing.T) {
	if testing.Short() {
		t.Skip("process test: skipped with -short")
	}
	rotShm(t)
	w := newRotWorld(t, nil)
	arn, replica := w.rotKey(t)
	oldCur, oldMats := w.materials(t, arn, "eu-west-1")
	_, killed, out := w.exec(t, []string{rotation.FailpointEnv + "=import:after"}, "rotate", "--key", rotAlias, "--yes")
	if !killed {
		t.Fatalf("failpoint import:after did not kill byok rotate:\n%s", out)
	}
	id := w.lastRun(t)
	_, before := w.materials(t, arn, "eu-west-1")
	other := filepath.Join(w.dir, "other.db")
	code, _, out := w.exec(t, nil, "rotate", "--key", rotAlias, "--yes", "--state", other)
	// The exit status of a request whose every key is refused is the
	// rotate command's (engine2); what matters here is the refusal.
	if !strings.Contains(out, "imported by another byok run") || !strings.Contains(out, id.String()) ||
		strings.Contains(out, "DeleteImportedKeyMaterial") {
		t.Fatalf("second operator: exit %d\n%s", code, out)
	}
	if _, after := w.materials(t, arn, "eu-west-1"); !sameMaterials(before, after) {
		t.Fatalf("the refused rotate touched the first run's material")
	}
	if ran := w.runFollowUps(t, out, ""); len(ran) == 0 {
		t.Fatalf("no runnable follow-up in:\n%s", out)
	}
	if code, _, out := w.exec(t, nil, "resume", id.String()); code != 0 {
		t.Fatalf("resume: exit %d\n%s", code, out)
	}
	w.checkEnd(t, id, arn, replica, oldCur, len(oldMats))
}

// runFollowUps finds every follow-up command ("byok COMMAND args…") in
// out, runs each as a shell would (the binary in place of byok) and
// requires exit 0; it returns the commands run. Commands with a
// placeholder (<that file>) are for a human to complete and are skipped;
// only, when set, keeps the commands that start with it.
func (w *rotWorld) runFollowUps(t *testing.T, out, only string) []string {
	t.Helper()
	var ran []string
	seen := map[string]bool{}
	for _, cmd := range followUpCommands(out) {
		if seen[cmd] || strings.Contains(cmd, "<") || !strings.HasPrefix(cmd, "byok "+only) {
			continue
		}
		seen[cmd] = true
		sh := exec.Command("sh", "-c", rotBinary(t)+strings.TrimPrefix(cmd, "byok"))
		res, err := sh.CombinedOutput()
		w.output.Write(res)
		if err != nil {
			t.Fatalf("follow-up %q: %v\n%s", cmd, err, res)
		}
		ran = append(ran, cmd)
	}
	return ran
}

// followUpCommands extracts the byok commands printed in out: the command
// name, then flags, their values and arguments that look like byok's (ARNs,
// run IDs, aliases, paths, quoted strings), up to the first word of prose.
func followUpCommands(out string) []string {
	var cmds []string
	for _, m := range followUpRE.FindAllStringSubmatchIndex(out, -1) {
		name, end := commandAt(out[m[4]:m[5]])
		if name == "" || strings.HasPrefix(out[m[4]+end:], ":") {
			continue
		}
		cmd := "byok " + name
		rest := out[m[4]+end:]
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			rest = rest[:i]
		}
		for _, tok := range shellTokens(rest) {
			trimmed := strings.TrimRight(tok, ";),.")
			if !commandToken(trimmed) {
				break
			}
			cmd += " " + trimmed
			if trimmed != tok {
				break
			}
		}
		cmds = append(cmds, cmd)
	}
	return cmds
}

func commandToken(tok string) bool {
	return tok != "" && (strings.HasPrefix(tok, "-") || strings.HasPrefix(tok, "'") || strings.HasPrefix(tok, `"`) ||
		strings.HasPrefix(tok, "r-") || strings.HasPrefix(tok, "<") || strings.ContainsAny(tok, ":/") ||
		(tok[0] >= '0' && tok[0] <= '9'))
}

// shellTokens splits s at spaces outside quotes, keeping the quotes.
func shellTokens(s string) []string {
	var toks []string
	var cur strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			cur.WriteByte(c)
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
			cur.WriteByte(c)
		case c == ' ' || c == '\t':
			if cur.Len() > 0 {
				toks = append(toks, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 {
		toks = append(toks, cur.String())
	}
	return toks
}

func sameMaterials(a, b []kmstypes.RotationsListEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if aws.ToString(a[i].KeyMaterialId) != aws.ToString(b[i].KeyMaterialId) || a[i].KeyMaterialState != b[i].KeyMaterialState {
			return false
		}
	}
	return true
}
