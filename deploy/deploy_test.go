// Package deploy_test checks the CloudFormation templates and IAM policies
// under deploy/: they parse (short-form tags included), every reference
// resolves, every IAM action is one byok knows exists, no statement grants a
// wildcard action on a wildcard resource, the reviewed JSON policies match
// the templates, and the Config rule's scope matches the Lambda's.
package deploy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/configrule"
)

var templates = []string{"security-account.yaml", "member-account.yaml", "operator-roles.yaml", "kms-failed-calls.yaml"}

func TestTemplates(t *testing.T) {
	for _, name := range templates {
		t.Run(name, func(t *testing.T) {
			tpl, err := loadTemplate(name)
			if err != nil {
				t.Fatal(err)
			}
			if bad := tpl.checkRefs(); len(bad) > 0 {
				t.Errorf("unresolved: %v", bad)
			}
			for where, doc := range tpl.policies() {
				for _, b := range checkPolicy(where, doc) {
					t.Error(b)
				}
			}
		})
	}
}

// The iam/*.json files are the templates' inline policies, for review.
func TestJSONPoliciesMatchTemplates(t *testing.T) {
	twins := map[string][2]string{
		"config-rule-function.json": {"security-account.yaml", "FunctionRole.Policies[0]"},
		"config-rule-member.json":   {"member-account.yaml", "ConfigRuleMemberRole.Policies[0]"},
		"verify.json":               {"member-account.yaml", "VerifyRole.Policies[0]"},
		"migration.json":            {"member-account.yaml", "MigrationRole.Policies[0]"},
		"batch-operations.json":     {"member-account.yaml", "BatchOperationsRole.Policies[0]"},
		"rotation-operator.json":    {"operator-roles.yaml", "RotationOperatorRole.Policies[0]"},
		"key-facts-readonly.json":   {"operator-roles.yaml", "KeyFactsRole.Policies[0]"},
	}
	files, _ := filepath.Glob("iam/*.json")
	if len(files) != len(twins) {
		t.Fatalf("iam/ holds %v; every file needs a twin here", files)
	}
	for file, twin := range twins {
		tpl, err := loadTemplate(twin[0])
		if err != nil {
			t.Fatal(err)
		}
		want := flatten(tpl.policies()[twin[1]])
		got := readJSON(t, filepath.Join("iam", file))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("iam/%s differs from %s %s", file, twin[0], twin[1])
		}
	}
}

func TestJSONPolicies(t *testing.T) {
	files, _ := filepath.Glob("iam/*.json")
	files = append(files, "key-policy-consumer.json")
	for _, f := range files {
		for _, b := range checkPolicy(f, readJSON(t, f)) {
			t.Error(b)
		}
	}
}

func readJSON(t *testing.T, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// The organization rule triggers on the three message types the handler
// decodes and is scoped to exactly the types it evaluates.
func TestRuleMatchesHandler(t *testing.T) {
	tpl, err := loadTemplate("security-account.yaml")
	if err != nil {
		t.Fatal(err)
	}
	meta := tpl.Resources["Rule"].(map[string]any)["Properties"].(map[string]any)["OrganizationCustomRuleMetadata"].(map[string]any)
	var scope []string
	for _, s := range configrule.ScopeTypes {
		scope = append(scope, string(s))
	}
	if got := strs(meta["ResourceTypesScope"]); !slices.Equal(got, scope) {
		t.Errorf("ResourceTypesScope = %v, want %v", got, scope)
	}
	triggers := []string{configrule.MessageChange.String(), configrule.MessageOversized.String(), configrule.MessageScheduled.String()}
	if got := strs(meta["OrganizationConfigRuleTriggerTypes"]); !slices.Equal(got, triggers) {
		t.Errorf("trigger types = %v, want %v", got, triggers)
	}
	params := flatten(meta["InputParameters"]).(string)
	for _, p := range []string{"maxKeyAgeDays", "expiryWarningDays", "estateS3Uri", "executionRoleName"} {
		if !strings.Contains(params, `"`+p+`"`) {
			t.Errorf("InputParameters lacks %s", p)
		}
	}
	// With the parameters' defaults substituted, the handler accepts the
	// rule parameters and assumes the role member-account.yaml creates.
	p, err := configrule.ParseParams(substitute(tpl, params))
	if err != nil {
		t.Fatalf("InputParameters rejected by the handler: %v", err)
	}
	member, err := loadTemplate("member-account.yaml")
	if err != nil {
		t.Fatal(err)
	}
	role := member.Resources["ConfigRuleMemberRole"].(map[string]any)["Properties"].(map[string]any)["RoleName"]
	if p.ExecutionRoleName != role {
		t.Errorf("executionRoleName = %q, member-account.yaml creates %v", p.ExecutionRoleName, role)
	}
}

// substitute replaces ${Name} with the template parameter's default, or
// "example" for parameters without one.
func substitute(tpl *template, s string) string {
	for name, def := range tpl.Parameters {
		v := "example"
		if d, ok := def.(map[string]any)["Default"]; ok {
			v = fmt.Sprint(d)
		}
		s = strings.ReplaceAll(s, "${"+name+"}", v)
	}
	return s
}

func strs(v any) []string {
	var out []string
	for _, x := range asList(v) {
		out = append(out, x.(string))
	}
	return out
}

// The checks themselves catch what they claim to.
func TestCheckersCatch(t *testing.T) {
	const head = "Parameters: {P: {Type: String}}\nConditions: {C: !Equals [a, b]}\nResources:\n"
	refs := map[string]string{
		"dangling Ref":     "  R: {Type: AWS::SNS::Topic, Properties: {TopicName: !Ref Nope}}\n",
		"dangling GetAtt":  "  R: {Type: AWS::SNS::Topic, Properties: {TopicName: !GetAtt Nope.Arn}}\n",
		"dangling Sub":     "  R: {Type: AWS::SNS::Topic, Properties: {TopicName: !Sub \"x-${Nope}\"}}\n",
		"dangling If":      "  R: {Type: AWS::SNS::Topic, Properties: {TopicName: !If [Nope, a, b]}}\n",
		"dangling Depends": "  R: {Type: AWS::SNS::Topic, DependsOn: Nope}\n",
	}
	for name, body := range refs {
		tpl, err := parseTemplate(name, []byte(head+body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if bad := tpl.checkRefs(); len(bad) != 1 || !strings.Contains(bad[0], "Nope") {
			t.Errorf("%s: checkRefs = %v", name, bad)
		}
	}
	ok, _ := parseTemplate("ok", []byte(head+"  R: {Type: AWS::SNS::Topic, Properties: {TopicName: !Sub \"${P}-${AWS::Region}-${!Literal}\"}}\n"))
	if bad := ok.checkRefs(); len(bad) != 0 {
		t.Errorf("valid template flagged: %v", bad)
	}
	policies := map[string]map[string]any{
		"star on star":   {"Effect": "Allow", "Action": "*", "Resource": "*"},
		"service star":   {"Effect": "Allow", "Action": "kms:*", "Resource": "arn:aws:kms:*:1:key/*"},
		"unknown action": {"Effect": "Allow", "Action": "kms:RotateKeyNow", "Resource": "*"},
		"not action":     {"Effect": "Allow", "NotAction": "kms:Decrypt", "Action": "kms:Encrypt", "Resource": "*"},
	}
	for name, st := range policies {
		if bad := checkPolicy(name, map[string]any{"Statement": []any{st}}); len(bad) == 0 {
			t.Errorf("%s not caught", name)
		}
	}
}

// cfn-lint is not packaged by Debian; when a developer has it (pip), it
// checks the templates against the CloudFormation resource specification.
func TestCfnLint(t *testing.T) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint not installed (pip install cfn-lint); the checks above still ran")
	}
	out, err := exec.Command(bin, templates...).CombinedOutput()
	if err != nil {
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}
}
