package deploy_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/migrate"
)

// TestMigrationRoleGrantsExactlyMigrateActions: the optional migration role
// grants every action byok migrate calls through it (the pre-flight's,
// recorded against the sandbox by internal/migrate's tests, and the apply
// methods' list) and nothing else; it exists only when EnableMigrationRole
// is "true" (default "false"), is assumed only by the operator role, and
// grants no Delete*.
func TestMigrationRoleGrantsExactlyMigrateActions(t *testing.T) {
	tpl, err := loadTemplate("member-account.yaml")
	if err != nil {
		t.Fatal(err)
	}
	role, _ := tpl.Resources["MigrationRole"].(map[string]any)
	if role == nil {
		t.Fatal("member-account.yaml has no MigrationRole")
	}
	if role["Condition"] != "CreateMigrationRole" || tpl.Conditions["CreateMigrationRole"] == nil {
		t.Fatalf("MigrationRole is not conditional on CreateMigrationRole: %v", role["Condition"])
	}
	param, _ := tpl.Parameters["EnableMigrationRole"].(map[string]any)
	if param == nil || param["Default"] != "false" {
		t.Fatalf("EnableMigrationRole must default to \"false\": %v", param)
	}
	trust := fmt.Sprint(flatten(role["Properties"].(map[string]any)["AssumeRolePolicyDocument"]))
	if !strings.Contains(trust, "${OperatorRoleArn}") || strings.Count(trust, "Principal") != 1 {
		t.Fatalf("the migration role must trust the operator role only: %s", trust)
	}
	var granted []string
	for _, st := range asList(tpl.policies()["MigrationRole.Policies[0]"].(map[string]any)["Statement"]) {
		for _, a := range asList(st.(map[string]any)["Action"]) {
			granted = append(granted, fmt.Sprint(a))
		}
	}
	slices.Sort(granted)
	granted = slices.Compact(granted)
	want := migrate.Actions()
	for _, a := range want {
		if !slices.Contains(granted, a) {
			t.Errorf("byok migrate calls %s; the migration role does not grant it", a)
		}
	}
	for _, a := range granted {
		if !slices.Contains(want, a) {
			t.Errorf("the migration role grants %s, which byok migrate never calls (least privilege)", a)
		}
		if strings.Contains(a, ":Delete") {
			t.Errorf("the migration role grants %s: a migration never deletes", a)
		}
	}
}
