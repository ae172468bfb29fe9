package retire

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/report"
)

// BlockerKind says why a key may not be retired yet.
type BlockerKind string

// Blocker kinds.
const (
	// BlockResource: a scanned resource is encrypted under the key.
	BlockResource BlockerKind = "resource-on-key"
	// BlockRecentUse: CloudTrail shows cryptographic calls on the key
	// within the quiet period.
	BlockRecentUse BlockerKind = "recent-use"
	// BlockAlias: an alias still points at the key.
	BlockAlias BlockerKind = "alias-target"
	// BlockKeyState: the key is not Enabled (already disabled, pending
	// deletion or import), so there is nothing to retire or it is not
	// byok's to judge.
	BlockKeyState BlockerKind = "key-state"
	// BlockObjectVersions: a bucket still holds object versions
	// (noncurrent ones too) encrypted under the key.
	BlockObjectVersions BlockerKind = "object-versions"
	// BlockEstateKey: the estate names the key as an environment's
	// service key (its alias resolves to it in some Region).
	BlockEstateKey BlockerKind = "estate-key"
	// BlockNotVerified: byok could not read something it must read to
	// prove the key unused (a listing error, an account's CloudTrail).
	BlockNotVerified BlockerKind = "not-verified"
	// BlockSnapshot: a DB snapshot or DB cluster snapshot is encrypted
	// under the key. A warning for retire (disabling is reversible), a
	// blocker for schedule-deletion (see ForDeletion).
	BlockSnapshot BlockerKind = "db-snapshot-on-key"
)

// Blocker is one reason the key stays, naming who and what.
type Blocker struct {
	Kind    BlockerKind `json:"kind"`
	Account string      `json:"account,omitempty"`
	Region  string      `json:"region,omitempty"`
	Subject string      `json:"subject"` // resource, principal or alias
	Detail  string      `json:"detail"`
}

// Evidence is what byok read about the key.
type Evidence struct {
	KeyARN   string
	KeyState string   // DescribeKey KeyState
	Aliases  []string // aliases (in the key's account) that target the key
	// EstateOf are the estate keys (env/service alias) that resolve to it.
	EstateOf []string
	// Versions are buckets holding object versions under the key.
	Versions []BucketVersions
	Scan     report.Report
	// Snapshots are the consumer accounts' DB (cluster) snapshots on the
	// key; SnapshotReads the accounts and Regions that could not be listed.
	Snapshots     []Snapshot
	SnapshotReads []SnapshotRead
	// Usage is ReadUsage of every account whose CloudTrail was read;
	// TrailErrors names each account whose CloudTrail could not be read.
	Usage       []Use
	TrailErrors map[string]error
	// Ignore are principals whose calls do not count (byok's own
	// verification roles, which decrypt canaries while rotating); an entry
	// ending in "/" covers every principal it prefixes (a role's sessions).
	Ignore []string
	// QuietFor is the period that must show no use, ending at Now.
	QuietFor time.Duration
	Now      time.Time
}

// Decision is the verdict: retirable when Blockers is empty. Warnings
// do not stop a retire (DisableKey is reversible) but say what it makes
// unusable meanwhile; ForDeletion turns them into blockers.
type Decision struct {
	KeyARN   string    `json:"key_arn"`
	Blockers []Blocker `json:"blockers"`
	Warnings []Blocker `json:"warnings,omitempty"`
	// Ignored are the calls Evidence.Ignore discounted, for the record.
	Ignored []Use `json:"ignored,omitempty"`
}

// Retirable reports whether nothing blocks retiring the key.
func (d Decision) Retirable() bool { return len(d.Blockers) == 0 }

// Decide judges the evidence. It is pure: the same evidence gives the same
// decision.
func Decide(ev Evidence) Decision {
	d := Decision{KeyARN: ev.KeyARN, Blockers: []Blocker{}}
	if ev.QuietFor <= 0 || ev.QuietFor > MaxQuiet {
		d.Blockers = append(d.Blockers, Blocker{Kind: BlockNotVerified, Subject: "quiet period",
			Detail: fmt.Sprintf("quiet period %s cannot be proven: CloudTrail LookupEvents holds at most %s", ev.QuietFor, MaxQuiet)})
	}
	if ev.KeyState != "Enabled" {
		d.Blockers = append(d.Blockers, Blocker{Kind: BlockKeyState, Subject: ev.KeyARN,
			Detail: fmt.Sprintf("key state is %q; only an Enabled key is retired (DisableKey)", ev.KeyState)})
	}
	for _, a := range ev.Aliases {
		d.Blockers = append(d.Blockers, Blocker{Kind: BlockAlias, Subject: a,
			Detail: a + " still points at the key: every caller through the alias uses it"})
	}
	for _, a := range ev.EstateOf {
		d.Blockers = append(d.Blockers, Blocker{Kind: BlockEstateKey, Subject: a,
			Detail: "the estate's key for " + a + ": rotate it to a new key first (byok rotate --key " + a + " --strategy new-key)"})
	}
	d.Blockers = append(d.Blockers, resourceBlockers(ev)...)
	d.Blockers = append(d.Blockers, versionBlockers(ev.Versions)...)
	uses, ignored := splitIgnored(ev.Usage, ev.Ignore)
	d.Ignored = ignored
	d.Blockers = append(d.Blockers, useBlockers(uses, ev.QuietFor, ev.Now)...)
	d.Blockers = append(d.Blockers, unreadBlockers(ev)...)
	if w := snapshotWarnings(ev); len(w) > 0 {
		d.Warnings = w
	}
	return d
}

func resourceBlockers(ev Evidence) []Blocker {
	var out []Blocker
	for _, r := range ev.Scan.Results {
		if r.KeyARN != ev.KeyARN || r.Resource.Deleted {
			continue
		}
		detail := "encrypted under the key (" + string(r.Reason) + "): migrate it first (byok migrate plan --key " + ev.KeyARN + ")"
		if run, ok := KeptOriginal(r.Resource.Name); ok {
			detail = "the original byok migrate kept (stopped) for rollback of run " + run + ", still encrypted under the key (" + string(r.Reason) +
				"): once the migration is accepted and no rollback is needed, delete it per your retention policy (byok never deletes data)"
		}
		out = append(out, Blocker{Kind: BlockResource, Account: r.Resource.Account, Region: r.Resource.Region,
			Subject: r.Resource.Type.ShortName() + " " + r.Resource.Name, Detail: detail})
	}
	return out
}

// keptMarker is what byok migrate's switch inserts in the name of the
// original it keeps: NAME-byok-old-RUN (see rotation's oldName).
const keptMarker = "-byok-old-"

// KeptOriginal reports whether name is an original a migration kept for
// rollback, and the short run ID its name carries.
func KeptOriginal(name string) (string, bool) {
	i := strings.LastIndex(name, keptMarker)
	if i <= 0 || i+len(keptMarker) == len(name) {
		return "", false
	}
	return name[i+len(keptMarker):], true
}

func splitIgnored(uses []Use, ignore []string) (counted, ignored []Use) {
	for _, u := range uses {
		if u.InvokedBy == "" && isIgnored(ignore, u.Principal) {
			ignored = append(ignored, u)
			continue
		}
		counted = append(counted, u)
	}
	return counted, ignored
}

// isIgnored: principal is in ignore, or under an entry ending in "/" (an
// assumed role's sessions, whatever their session names).
func isIgnored(ignore []string, principal string) bool {
	return slices.ContainsFunc(ignore, func(p string) bool {
		return p == principal || (strings.HasSuffix(p, "/") && strings.HasPrefix(principal, p))
	})
}

// MaxQuiet is the longest quiet period byok can prove: CloudTrail's
// LookupEvents holds 90 days of management events.
const MaxQuiet = 90 * 24 * time.Hour

func useBlockers(uses []Use, quiet time.Duration, now time.Time) []Blocker {
	out := make([]Blocker, 0, len(uses))
	for _, u := range uses {
		if u.Last.Before(now.Add(-quiet)) {
			continue // older than the quiet period
		}
		who := u.Principal
		if u.InvokedBy != "" {
			who = u.InvokedBy + " on behalf of " + u.Principal
		}
		out = append(out, Blocker{Kind: BlockRecentUse, Account: u.Account, Subject: who,
			Detail: fmt.Sprintf("%d %s call(s) (%d failed) from %s to %s, within the %s quiet period", u.Count, u.Event, u.Failed,
				u.First.UTC().Format(time.RFC3339), u.Last.UTC().Format(time.RFC3339), quiet)})
	}
	return out
}

func unreadBlockers(ev Evidence) []Blocker {
	var out []Blocker
	for _, e := range ev.Scan.Meta.Errors {
		out = append(out, Blocker{Kind: BlockNotVerified, Account: e.Account, Region: e.Region, Subject: "inventory " + e.Service,
			Detail: "could not list resources, so none can be ruled out: " + e.Message})
	}
	accounts := make([]string, 0, len(ev.TrailErrors))
	for a := range ev.TrailErrors {
		accounts = append(accounts, a)
	}
	slices.Sort(accounts)
	for _, a := range accounts {
		out = append(out, Blocker{Kind: BlockNotVerified, Account: a, Subject: "CloudTrail",
			Detail: "could not read CloudTrail, so recent use cannot be ruled out: " + ev.TrailErrors[a].Error()})
	}
	return out
}

// BucketVersions are the object versions of one bucket encrypted under
// the key: current ones and noncurrent ones a lifecycle rule has not
// expired yet. Disabling the key makes every one unreadable.
type BucketVersions struct {
	Account    string   `json:"account"`
	Region     string   `json:"region"`
	Bucket     string   `json:"bucket"`
	Current    int      `json:"current"`
	Noncurrent int      `json:"noncurrent"`
	Examples   []string `json:"examples"` // a few "key@versionId"
	// Err is set when the bucket's versions could not be read.
	Err string `json:"error,omitempty"`
}

func versionBlockers(vs []BucketVersions) []Blocker {
	var out []Blocker
	for _, v := range vs {
		b := Blocker{Kind: BlockObjectVersions, Account: v.Account, Region: v.Region, Subject: "s3 " + v.Bucket}
		switch {
		case v.Err != "":
			b.Kind, b.Detail = BlockNotVerified, "could not read the bucket's object versions, so none can be ruled out: "+v.Err
		case v.Current+v.Noncurrent == 0:
			continue
		default:
			b.Detail = fmt.Sprintf("%d current and %d noncurrent object version(s) encrypted under the key (e.g. %s): re-encrypt them (byok migrate) and let a lifecycle rule expire the noncurrent ones",
				v.Current, v.Noncurrent, strings.Join(v.Examples, ", "))
		}
		out = append(out, b)
	}
	return out
}
