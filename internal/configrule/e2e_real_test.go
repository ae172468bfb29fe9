package configrule_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/conformance/backend"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	"github.com/byok-dev/byok/internal/scan"
)

// The rule on real resources, through public APIs only, in the Security
// account (so one test account is enough): an EXTERNAL key with freshly
// imported material behind the estate's S3 alias, the estate file in S3,
// one bucket encrypted by default with that key and one with the AWS
// managed key. Each bucket's change notification is built from what S3
// answers (GetBucketEncryption, ListBuckets) by the sandbox's own item and
// event rendering, with the result token TESTMODE, and handed to the
// production handler: it must compute COMPLIANT for the first and
// NON_COMPLIANT / AWS_MANAGED_KEY for the second, send them with
// PutEvaluations' TestMode (AWS validates and records nothing), and agree
// with `byok scan`'s evaluator on both. On AWS this creates one KMS key
// (deletion scheduled, 7 days), one alias and three buckets, all removed
// at the end.
func TestE2ERuleOnRealResources(t *testing.T) {
	backend.Each(t, func(t *testing.T, b *backend.Backend) {
		r := newRealRig(t, b)
		onKey := r.bucket(t, b.Security, "on-estate-key", aws.ToString(r.key))
		managed := r.bucket(t, b.Security, "aws-managed", "")
		got := r.invoke(t, "", onKey, managed)
		r.check(t, b.Security, got, map[string]want{onKey: {"COMPLIANT", compliance.ReasonCompliant},
			managed: {"NON_COMPLIANT", compliance.ReasonAWSManagedKey}})
	})
}

// The cross-account case an organization rule meets: a bucket in the
// consumer account encrypted with the Security account's estate key. The
// event names the consumer account and Config's service-linked role, as
// AWS sends it; the rule parameter executionRoleName names the role the
// handler assumes there (deploy/member-account.yaml's, or
// BYOK_CONFORMANCE_EXECUTION_ROLE; registered by the test on the
// in-process sandbox, seeded in `byok sandbox --seed demo`), and it reads
// the key facts with its own (Security) credentials. Needs two accounts.
func TestE2ERuleCrossAccount(t *testing.T) {
	backend.Each(t, func(t *testing.T, b *backend.Backend) {
		b.RequireTwoAccounts(t)
		role := memberRoleFor(t, b)
		r := newRealRig(t, b)
		onKey := r.bucket(t, b.Consumer, "consumer-on-key", aws.ToString(r.key))
		managed := r.bucket(t, b.Consumer, "consumer-managed", "")
		got := r.invoke(t, role, onKey, managed)
		r.check(t, b.Consumer, got, map[string]want{onKey: {"COMPLIANT", compliance.ReasonCompliant},
			managed: {"NON_COMPLIANT", compliance.ReasonAWSManagedKey}})
	})
}

// envExecutionRole names the consumer account's role for the rule on AWS.
const envExecutionRole = "BYOK_CONFORMANCE_EXECUTION_ROLE"

// memberRoleFor is the role name the rule assumes in the consumer account.
// On the in-process sandbox the test registers it (what
// deploy/member-account.yaml does on AWS); elsewhere it must exist.
func memberRoleFor(t *testing.T, b *backend.Backend) string {
	t.Helper()
	if b.IsAWS() {
		if v := os.Getenv(envExecutionRole); v != "" {
			return v
		}
		return memberRole
	}
	sb := b.RequireSandbox(t, "registers the member role")
	err := sb.AddRole(identity.Role{ARN: "arn:aws:iam::" + b.Consumer + ":role/" + memberRole, Account: b.Consumer, Name: memberRole,
		Trusted: []string{"arn:aws:iam::" + b.Security + ":root"}})
	if err != nil {
		t.Fatal(err)
	}
	return memberRole
}

// want is an expected evaluation.
type want struct {
	compliance string
	reason     compliance.Reason
}

// check compares what the rule sent with want and with what `byok scan`'s
// engine decides for the same buckets in account.
func (r *realRig) check(t *testing.T, account string, got map[string]sent, wants map[string]want) {
	t.Helper()
	b := r.b
	rep, err := scan.Run(context.Background(), r.est, scan.Deps{Inventory: r.scanner, KMS: r.scanner.KMS},
		scan.Options{Accounts: []string{account}, Regions: []string{b.Region}, Now: time.Now()})
	if err != nil {
		t.Fatalf("%s: scan: %v", b.Name(), err)
	}
	scanned := map[string]compliance.Result{}
	for _, res := range rep.Results {
		scanned[res.Resource.ID] = res
	}
	for name, w := range wants {
		g, s := got[name], scanned[name]
		if g.compliance != w.compliance || g.reason != string(w.reason) {
			t.Errorf("%s: rule sent %s %q for %s, want %s %s", b.Name(), g.compliance, g.annotation, name, w.compliance, w.reason)
		}
		if string(sendable[s.Verdict]) != g.compliance || string(s.Reason) != g.reason {
			t.Errorf("%s: scan says %s %s for %s, the rule %s %s", b.Name(), s.Verdict, s.Reason, name, g.compliance, g.reason)
		}
	}
}
