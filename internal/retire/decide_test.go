package retire

import (
	"errors"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/report"
)

const (
	oldKey   = "arn:aws:kms:eu-west-1:111111111111:key/old"
	newKey   = "arn:aws:kms:eu-west-1:111111111111:key/new"
	verifier = "arn:aws:sts::333333333333:assumed-role/byok-verify/byok"
	app      = "arn:aws:sts::333333333333:assumed-role/app/i-1"
)

var now = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

func result(name, key string, deleted bool) compliance.Result {
	return compliance.Result{KeyARN: key, Reason: compliance.ReasonKeySuperseded,
		Resource: compliance.Resource{Type: compliance.RDSInstance, Name: name, Account: "333333333333", Region: "eu-west-1", Deleted: deleted}}
}

func use(principal, invokedBy string, ago time.Duration) Use {
	at := now.Add(-ago)
	return Use{Account: "111111111111", Principal: principal, InvokedBy: invokedBy, Event: "Decrypt", Count: 2, Failed: 1, First: at, Last: at}
}

func clean() Evidence {
	return Evidence{KeyARN: oldKey, KeyState: "Enabled", QuietFor: 30 * 24 * time.Hour, Now: now, Ignore: []string{verifier},
		Scan: report.Report{Results: []compliance.Result{result("prod-db", newKey, false)}}}
}

func TestDecide(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name   string
		edit   func(*Evidence)
		want   []BlockerKind
		ignore int
	}{
		{"clean key is retirable", func(*Evidence) {}, nil, 0},
		{"resource still on the key", func(e *Evidence) { e.Scan.Results = append(e.Scan.Results, result("prod-aurora", oldKey, false)) }, []BlockerKind{BlockResource}, 0},
		{"deleted resource does not block", func(e *Evidence) { e.Scan.Results = append(e.Scan.Results, result("gone", oldKey, true)) }, nil, 0},
		{"consumer used it yesterday", func(e *Evidence) { e.Usage = []Use{use(app, "", day)} }, []BlockerKind{BlockRecentUse}, 0},
		{"service on a consumer's behalf", func(e *Evidence) { e.Usage = []Use{use(app, "s3.amazonaws.com", day)} }, []BlockerKind{BlockRecentUse}, 0},
		{"use before the quiet period", func(e *Evidence) { e.Usage = []Use{use(app, "", 31*day)} }, nil, 0},
		{"byok's own verifier is ignored", func(e *Evidence) { e.Usage = []Use{use(verifier, "", day)} }, nil, 1},
		{"service on the verifier's behalf still counts", func(e *Evidence) { e.Usage = []Use{use(verifier, "s3.amazonaws.com", day)} }, []BlockerKind{BlockRecentUse}, 0},
		{"alias still on the key", func(e *Evidence) { e.Aliases = []string{"alias/prod/rds"} }, []BlockerKind{BlockAlias}, 0},
		{"already disabled", func(e *Evidence) { e.KeyState = "Disabled" }, []BlockerKind{BlockKeyState}, 0},
		{"listing error", func(e *Evidence) {
			e.Scan.Meta.Errors = []report.ScanError{{Account: "333333333333", Region: "eu-west-1", Service: "rds", Message: "AccessDenied"}}
		}, []BlockerKind{BlockNotVerified}, 0},
		{"unreadable trail", func(e *Evidence) { e.TrailErrors = map[string]error{"222222222222": errors.New("AccessDenied")} }, []BlockerKind{BlockNotVerified}, 0},
		{"quiet period beyond CloudTrail", func(e *Evidence) { e.QuietFor = 91 * day }, []BlockerKind{BlockNotVerified}, 0},
		{"no quiet period", func(e *Evidence) { e.QuietFor = 0 }, []BlockerKind{BlockNotVerified}, 0},
		{"current object version on the key", func(e *Evidence) {
			e.Versions = []BucketVersions{{Account: "333333333333", Bucket: "b", Current: 1, Examples: []string{"k@v1"}}}
		}, []BlockerKind{BlockObjectVersions}, 0},
		{"noncurrent version only", func(e *Evidence) { e.Versions = []BucketVersions{{Bucket: "b", Noncurrent: 2}} }, []BlockerKind{BlockObjectVersions}, 0},
		{"bucket with nothing on the key", func(e *Evidence) { e.Versions = []BucketVersions{{Bucket: "b"}} }, nil, 0},
		{"unreadable bucket versions", func(e *Evidence) { e.Versions = []BucketVersions{{Bucket: "b", Err: "AccessDenied"}} }, []BlockerKind{BlockNotVerified}, 0},
		{"estate key of an environment", func(e *Evidence) { e.EstateOf = []string{"alias/prod/rds (prod/rds)"} }, []BlockerKind{BlockEstateKey}, 0},
		{"verify role's sessions ignored by prefix", func(e *Evidence) {
			e.Ignore = []string{"arn:aws:sts::333333333333:assumed-role/byok-verify/"}
			e.Usage = []Use{use(verifier, "", day)}
		}, nil, 1},
		{"a prefix does not cover another role", func(e *Evidence) {
			e.Ignore = []string{"arn:aws:sts::333333333333:assumed-role/byok-verify/"}
			e.Usage = []Use{use("arn:aws:sts::333333333333:assumed-role/byok-verify-not/x", "", day)}
		}, []BlockerKind{BlockRecentUse}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := clean()
			tc.edit(&ev)
			d := Decide(ev)
			var got []BlockerKind
			for _, b := range d.Blockers {
				got = append(got, b.Kind)
				if b.Subject == "" || b.Detail == "" {
					t.Errorf("blocker %+v does not say who or what", b)
				}
			}
			if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
				t.Fatalf("blockers %v, want %v: %+v", got, tc.want, d.Blockers)
			}
			if d.Retirable() != (len(tc.want) == 0) || len(d.Ignored) != tc.ignore {
				t.Fatalf("retirable %v ignored %d, want %v and %d", d.Retirable(), len(d.Ignored), len(tc.want) == 0, tc.ignore)
			}
		})
	}
}

func TestSameKey(t *testing.T) {
	tests := map[string]struct {
		ref  string
		want bool
	}{
		"the ARN":            {oldKey, true},
		"the key ID":         {"old", true},
		"another key's ARN":  {newKey, false},
		"another key's ID":   {"new", false},
		"a suffix of the ID": {"ld", false},
		"no key":             {"", false},
		"an alias ARN":       {"arn:aws:kms:eu-west-1:111111111111:alias/old", false},
	}
	for name, tc := range tests {
		if got := SameKey(tc.ref, oldKey); got != tc.want {
			t.Errorf("%s: SameKey(%q) = %v, want %v", name, tc.ref, got, tc.want)
		}
	}
}
