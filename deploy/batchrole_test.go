package deploy_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/migrate/s3batch"
)

// TestBatchRoleGrantsExactlyTheJobsActions: byok-batch-operations, the
// role the migration role passes to S3 Batch Operations, exists with the
// migration role only (EnableMigrationRole, default "false"), is trusted
// by batchoperations.s3.amazonaws.com for this account's jobs only,
// grants exactly the actions of the job byok submits (s3batch.RoleActions,
// the KMS ones recorded against the sandbox), S3 in this account only,
// KMS through S3 only, data keys under estate keys only, and nothing that
// deletes or changes ACLs.
func TestBatchRoleGrantsExactlyTheJobsActions(t *testing.T) {
	tpl, err := loadTemplate("member-account.yaml")
	if err != nil {
		t.Fatal(err)
	}
	role, _ := tpl.Resources["BatchOperationsRole"].(map[string]any)
	if role == nil {
		t.Fatal("member-account.yaml has no BatchOperationsRole, which the migration role passes")
	}
	if role["Condition"] != "CreateMigrationRole" {
		t.Fatalf("BatchOperationsRole is not conditional on CreateMigrationRole: %v", role["Condition"])
	}
	props := role["Properties"].(map[string]any)
	checkPassedRole(t, tpl, props["RoleName"])
	checkBatchTrust(t, flatten(props["AssumeRolePolicyDocument"]))
	var granted []string
	for _, st := range asList(tpl.policies()["BatchOperationsRole.Policies[0]"].(map[string]any)["Statement"]) {
		s := flatten(st).(map[string]any)
		for _, a := range asList(s["Action"]) {
			granted = append(granted, fmt.Sprint(a))
		}
		checkBatchStatement(t, s)
	}
	slices.Sort(granted)
	granted = slices.Compact(granted)
	for _, a := range s3batch.RoleActions {
		if !slices.Contains(granted, a) {
			t.Errorf("a byok batch job needs %s; byok-batch-operations does not grant it", a)
		}
	}
	for _, a := range granted {
		if !slices.Contains(s3batch.RoleActions, a) {
			t.Errorf("byok-batch-operations grants %s, which a byok batch job never needs (least privilege)", a)
		}
		if strings.Contains(a, ":Delete") || strings.Contains(a, "Acl") {
			t.Errorf("byok-batch-operations grants %s: a re-encryption copy neither deletes nor changes ACLs", a)
		}
	}
}

// checkPassedRole: the migration role passes exactly the role created.
func checkPassedRole(t *testing.T, tpl *template, name any) {
	t.Helper()
	if name != "byok-batch-operations" {
		t.Errorf("RoleName %v, want byok-batch-operations (rotation.DefaultBatchRole)", name)
	}
	want := fmt.Sprintf("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/%v", name)
	for _, st := range asList(tpl.policies()["MigrationRole.Policies[0]"].(map[string]any)["Statement"]) {
		s := flatten(st).(map[string]any)
		if slices.Contains(asList(s["Action"]), any("iam:PassRole")) {
			if s["Resource"] != want {
				t.Errorf("the migration role passes %v, the template creates %s", s["Resource"], want)
			}
			return
		}
	}
	t.Error("the migration role has no iam:PassRole statement for the batch role")
}

func checkBatchTrust(t *testing.T, doc any) {
	t.Helper()
	sts := asList(doc.(map[string]any)["Statement"])
	if len(sts) != 1 {
		t.Fatalf("the batch role's trust policy has %d statements, want 1", len(sts))
	}
	s := sts[0].(map[string]any)
	p, _ := s["Principal"].(map[string]any)
	if len(p) != 1 || p["Service"] != "batchoperations.s3.amazonaws.com" || s["Action"] != "sts:AssumeRole" {
		t.Errorf("the batch role must trust batchoperations.s3.amazonaws.com only: %v", s)
	}
	if fmt.Sprint(s["Condition"]) != "map[StringEquals:map[aws:SourceAccount:${AWS::AccountId}]]" {
		t.Errorf("the batch role's trust lacks the aws:SourceAccount condition (confused deputy): %v", s["Condition"])
	}
}

// checkBatchStatement: S3 only in this account; KMS only through S3;
// data keys only under the Security account's keys.
func checkBatchStatement(t *testing.T, s map[string]any) {
	t.Helper()
	cond := fmt.Sprint(s["Condition"])
	for _, a := range asList(s["Action"]) {
		switch name := fmt.Sprint(a); {
		case strings.HasPrefix(name, "s3:") && !strings.Contains(cond, "s3:ResourceAccount:${AWS::AccountId}"):
			t.Errorf("%s %s: not limited to this account's buckets", s["Sid"], name)
		case strings.HasPrefix(name, "kms:") && !strings.Contains(cond, "kms:ViaService:s3.*.amazonaws.com"):
			t.Errorf("%s %s: not limited to calls through S3", s["Sid"], name)
		case name == "kms:GenerateDataKey" && s["Resource"] != "arn:${AWS::Partition}:kms:*:${SecurityAccountId}:key/*":
			t.Errorf("%s %s on %v: only estate keys are targets", s["Sid"], name, s["Resource"])
		}
	}
}
