package retire

import (
	"strings"
	"testing"
	"time"
)

func snap(id string, cluster bool) Snapshot {
	return Snapshot{Account: "333333333333", Region: "eu-west-1", ID: id, Cluster: cluster, Type: "manual", Of: "prod-db",
		Created: now.Add(-time.Hour), Target: newKey}
}

// TestSnapshotDecision: DB snapshots on the key warn a retire (disable,
// reversible) and block a schedule-deletion, each named with its account,
// Region, ID and creation time and the fix; snapshots that could not be
// listed do the same; the key-state blocker of a disabled key goes.
func TestSnapshotDecision(t *testing.T) {
	tests := map[string]struct {
		edit               func(*Evidence)
		warn, del          []BlockerKind // Decide's warnings; ForDeletion's blockers
		retirable, deletes bool
	}{
		"nothing on the key": {func(*Evidence) {}, nil, nil, true, true},
		"final snapshot of a migration": {func(e *Evidence) { e.Snapshots = []Snapshot{snap("prod-db-final", false)} },
			[]BlockerKind{BlockSnapshot}, []BlockerKind{BlockSnapshot}, true, false},
		"cluster snapshot": {func(e *Evidence) { e.Snapshots = []Snapshot{snap("prod-aurora-final", true)} },
			[]BlockerKind{BlockSnapshot}, []BlockerKind{BlockSnapshot}, true, false},
		"snapshots unreadable": {func(e *Evidence) {
			e.SnapshotReads = []SnapshotRead{{Account: "333333333333", Region: "eu-west-1", Err: "AccessDenied"}}
		}, []BlockerKind{BlockNotVerified}, []BlockerKind{BlockNotVerified}, true, false},
		"disabled key, nothing else": {func(e *Evidence) { e.KeyState = "Disabled" }, nil, nil, false, true},
		"disabled key and a snapshot": {func(e *Evidence) {
			e.KeyState, e.Snapshots = "Disabled", []Snapshot{snap("s", false)}
		}, []BlockerKind{BlockSnapshot}, []BlockerKind{BlockSnapshot}, false, false},
		"a resource blocks both": {func(e *Evidence) { e.Scan.Results = append(e.Scan.Results, result("prod-db", oldKey, false)) },
			nil, []BlockerKind{BlockResource}, false, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ev := clean()
			tc.edit(&ev)
			d := Decide(ev)
			if got := kinds(d.Warnings); !sameKinds(got, tc.warn) {
				t.Errorf("warnings %v, want %v", got, tc.warn)
			}
			if d.Retirable() != tc.retirable {
				t.Errorf("retirable %v, want %v: %+v", d.Retirable(), tc.retirable, d.Blockers)
			}
			del := ForDeletion(d)
			if got := kinds(del.Blockers); !sameKinds(got, tc.del) || del.Retirable() != tc.deletes || len(del.Warnings) != 0 {
				t.Errorf("for deletion: blockers %v warnings %d, want %v (deletable %v)", got, len(del.Warnings), tc.del, tc.deletes)
			}
		})
	}
}

// TestSnapshotWarningSaysWhatAndHow: the line names the account, Region,
// snapshot, when it was created, the copy command with the new key, and
// that byok deletes nothing.
func TestSnapshotWarningSaysWhatAndHow(t *testing.T) {
	ev := clean()
	ev.Snapshots = []Snapshot{snap("prod-db-final", false), snap("prod-aurora-final", true)}
	w := Decide(ev).Warnings
	if len(w) != 2 {
		t.Fatalf("%d warnings, want 2", len(w))
	}
	for i, want := range []string{"copy-db-snapshot --source-db-snapshot-identifier prod-db-final", "copy-db-cluster-snapshot --source-db-cluster-snapshot-identifier prod-aurora-final"} {
		b := w[i]
		for _, s := range []string{want, "--kms-key-id " + newKey, now.Add(-time.Hour).Format(time.RFC3339), "unrestorable while the key is disabled", "byok never deletes data"} {
			if !strings.Contains(b.Detail, s) {
				t.Errorf("warning %q does not say %q", b.Detail, s)
			}
		}
		if b.Account != "333333333333" || b.Region != "eu-west-1" || !strings.HasSuffix(b.Subject, ev.Snapshots[i].ID) {
			t.Errorf("warning %+v does not name the account, Region and snapshot", b)
		}
	}
}

// TestKeptOriginalNamed: an original a migration kept blocks as a
// resource, and its line says it is kept for rollback.
func TestKeptOriginalNamed(t *testing.T) {
	tests := map[string]struct {
		name, run string
		kept      bool
	}{
		"instance":            {"prod-db-byok-old-20261205t231900z3fa9", "20261205t231900z3fa9", true},
		"member":              {"prod-aurora-1-byok-old-r1", "r1", true},
		"an ordinary name":    {"prod-db", "", false},
		"marker, no run":      {"prod-db-byok-old-", "", false},
		"marker at the start": {"-byok-old-x", "", false},
	}
	for name, tc := range tests {
		run, ok := KeptOriginal(tc.name)
		if ok != tc.kept || run != tc.run {
			t.Errorf("%s: KeptOriginal(%q) = %q, %v; want %q, %v", name, tc.name, run, ok, tc.run, tc.kept)
		}
	}
	ev := clean()
	ev.Scan.Results = append(ev.Scan.Results, result("prod-db-byok-old-r1", oldKey, false), result("prod-db", oldKey, false))
	d := Decide(ev)
	if len(d.Blockers) != 2 || !strings.Contains(d.Blockers[0].Detail, "kept (stopped) for rollback of run r1") ||
		strings.Contains(d.Blockers[1].Detail, "rollback") {
		t.Fatalf("blockers %+v: want the kept original named as kept for rollback, the other as to migrate", d.Blockers)
	}
}

func kinds(bs []Blocker) []BlockerKind {
	var out []BlockerKind
	for _, b := range bs {
		out = append(out, b.Kind)
	}
	return out
}

func sameKinds(a, b []BlockerKind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
