package deploy_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/byok-dev/byok/internal/retire"
)

// TestVerifyRoleGrantsRetireReads: every member account's verify role
// grants each action byok retire reads the account with (CloudTrail, S3
// object versions, DB snapshots and DB cluster snapshots).
func TestVerifyRoleGrantsRetireReads(t *testing.T) {
	tpl, err := loadTemplate("member-account.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := tpl.policies()["VerifyRole.Policies[0]"].(map[string]any)
	if doc == nil {
		t.Fatal("member-account.yaml has no VerifyRole policy")
	}
	var granted []string
	for _, st := range asList(doc["Statement"]) {
		for _, a := range asList(st.(map[string]any)["Action"]) {
			granted = append(granted, fmt.Sprint(a))
		}
	}
	for _, a := range retire.ReadActions() {
		if !slices.Contains(granted, a) {
			t.Errorf("byok retire calls %s in consumer accounts; the verify role does not grant it", a)
		}
	}
}
