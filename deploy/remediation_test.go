package deploy_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// remediation is one optional online fix of member-account.yaml: its SSM
// Automation document, AutomationAssumeRole, Config rule and remediation
// configuration, and the IAM actions its role may grant beyond the
// document's own calls (with why).
type remediation struct {
	doc, role, rule, config, condition string
	extra                              []string
}

var remediations = []remediation{
	{doc: "S3EncryptionDocument", role: "S3RemediationRole", rule: "S3KeyRule", config: "S3KeyRemediation", condition: "RemediateS3"},
	// UpdateTable onto a customer managed key: DynamoDB checks the caller
	// may use the key and creates its grant (kms:ViaService dynamodb only).
	{doc: "DynamoDBKeyDocument", role: "DynamoDBRemediationRole", rule: "DynamoDBKeyRule", config: "DynamoDBKeyRemediation",
		condition: "RemediateDynamoDB", extra: []string{"kms:CreateGrant", "kms:DescribeKey"}},
}

// apiActions is the IAM action of each Service:Api an Automation step
// may call (aws:executeAwsApi, aws:assertAwsResourceProperty and
// aws:waitForAwsResourceProperty call the API as the assumed role).
var apiActions = map[string]string{
	"s3:PutBucketEncryption": "s3:PutEncryptionConfiguration",
	"s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
	"dynamodb:UpdateTable":   "dynamodb:UpdateTable",
	"dynamodb:DescribeTable": "dynamodb:DescribeTable",
}

// stepActions are the Automation actions these documents may use; the
// assert and wait actions need a selector and desired values.
var stepActions = map[string]bool{"aws:executeAwsApi": false, "aws:assertAwsResourceProperty": true, "aws:waitForAwsResourceProperty": true}

var paramRef = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// TestRemediationDocuments: each document is SSM Automation schema 0.3
// whose steps use only declared parameters (and every parameter is used),
// whose every API call is granted to its own AutomationAssumeRole, which
// grants nothing else; each remediation configuration passes exactly the
// document's parameters; everything is off unless EnableRemediation.
func TestRemediationDocuments(t *testing.T) {
	tpl, err := loadTemplate("member-account.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := tpl.Parameters["EnableRemediation"].(map[string]any); p == nil || p["Default"] != "false" {
		t.Fatalf("EnableRemediation must default to \"false\": %v", p)
	}
	if p, _ := tpl.Parameters["AutomaticRemediation"].(map[string]any); p == nil || p["Default"] != "false" {
		t.Fatalf("AutomaticRemediation must default to \"false\": %v", p)
	}
	for _, r := range remediations {
		t.Run(r.doc, func(t *testing.T) {
			if !strings.Contains(fmt.Sprint(tpl.Conditions[r.condition]), "CreateRemediation") {
				t.Errorf("condition %s does not require CreateRemediation: %v", r.condition, tpl.Conditions[r.condition])
			}
			for _, name := range []string{r.doc, r.role, r.rule, r.config} {
				if res, _ := tpl.Resources[name].(map[string]any); res == nil || res["Condition"] != r.condition {
					t.Errorf("%s is missing or not conditional on %s", name, r.condition)
				}
			}
			content, params := checkDocument(t, tpl, r.doc)
			calls := documentCalls(t, content)
			checkRole(t, tpl, r, calls)
			checkRemediationConfig(t, tpl, r, params)
		})
	}
}

func props(tpl *template, name string) map[string]any {
	res, _ := tpl.Resources[name].(map[string]any)
	p, _ := res["Properties"].(map[string]any)
	return p
}

// checkDocument checks the schema and the parameters; it returns the
// content and the declared parameter names.
func checkDocument(t *testing.T, tpl *template, name string) (map[string]any, []string) {
	t.Helper()
	p := props(tpl, name)
	content, _ := p["Content"].(map[string]any)
	if p["DocumentType"] != "Automation" || content == nil || content["schemaVersion"] != "0.3" {
		t.Fatalf("%s: DocumentType %v schemaVersion %v, want Automation 0.3", name, p["DocumentType"], content["schemaVersion"])
	}
	if content["assumeRole"] != "{{ AutomationAssumeRole }}" {
		t.Errorf("%s: assumeRole %v, want {{ AutomationAssumeRole }}", name, content["assumeRole"])
	}
	declared, _ := content["parameters"].(map[string]any)
	var params []string
	for n, d := range declared {
		params = append(params, n)
		if dm, _ := d.(map[string]any); dm["type"] != "String" || dm["description"] == nil {
			t.Errorf("%s: parameter %s needs type String and a description: %v", name, n, d)
		}
	}
	used := map[string]bool{}
	for _, m := range paramRef.FindAllStringSubmatch(fmt.Sprint(content["mainSteps"])+fmt.Sprint(content["assumeRole"]), -1) {
		used[m[1]] = true
		if declared[m[1]] == nil {
			t.Errorf("%s uses {{ %s }}, which it does not declare", name, m[1])
		}
	}
	for _, n := range params {
		if !used[n] {
			t.Errorf("%s declares %s and never uses it", name, n)
		}
	}
	slices.Sort(params)
	return content, params
}

// documentCalls checks each step and returns the IAM actions they need.
func documentCalls(t *testing.T, content map[string]any) []string {
	t.Helper()
	steps := asList(content["mainSteps"])
	names := map[string]bool{}
	var calls []string
	for i, s := range steps {
		step, _ := s.(map[string]any)
		name, _ := step["name"].(string)
		in, _ := step["inputs"].(map[string]any)
		needsSelector, known := stepActions[fmt.Sprint(step["action"])]
		switch {
		case name == "" || names[name] || !known || in == nil:
			t.Errorf("step %d (%s): needs a unique name, a known action (%v) and inputs", i, name, step["action"])
			continue
		case needsSelector && (!strings.HasPrefix(fmt.Sprint(in["PropertySelector"]), "$.") || len(asList(in["DesiredValues"])) == 0):
			t.Errorf("step %s: %v needs a PropertySelector ($.…) and DesiredValues", name, step["action"])
		case !needsSelector && in["PropertySelector"] != nil:
			t.Errorf("step %s: aws:executeAwsApi takes no PropertySelector", name)
		}
		names[name] = true
		if (i == len(steps)-1) != (step["isEnd"] == true) {
			t.Errorf("step %s: isEnd %v; only the last step ends the document", name, step["isEnd"])
		}
		api := fmt.Sprintf("%v:%v", in["Service"], in["Api"])
		action, ok := apiActions[api]
		if !ok {
			t.Errorf("step %s calls %s, which has no IAM action in apiActions", name, api)
		}
		calls = append(calls, action)
	}
	slices.Sort(calls)
	return slices.Compact(calls)
}

// checkRole: the role is assumed by SSM only and grants exactly the
// document's calls (and the documented extras).
func checkRole(t *testing.T, tpl *template, r remediation, calls []string) {
	t.Helper()
	p := props(tpl, r.role)
	trust := fmt.Sprint(flatten(p["AssumeRolePolicyDocument"]))
	if !strings.Contains(trust, "ssm.amazonaws.com") || strings.Count(trust, "Principal") != 1 {
		t.Errorf("%s must trust ssm.amazonaws.com only: %s", r.role, trust)
	}
	var granted []string
	for _, st := range asList(tpl.policies()[r.role+".Policies[0]"].(map[string]any)["Statement"]) {
		for _, a := range asList(st.(map[string]any)["Action"]) {
			granted = append(granted, fmt.Sprint(a))
		}
	}
	slices.Sort(granted)
	want := slices.Sorted(slices.Values(append(slices.Clone(calls), r.extra...)))
	if !slices.Equal(slices.Compact(granted), slices.Compact(want)) {
		t.Errorf("%s grants %v; the document calls %v (+ %v): exactly those", r.role, granted, calls, r.extra)
	}
}

func checkRemediationConfig(t *testing.T, tpl *template, r remediation, params []string) {
	t.Helper()
	p := props(tpl, r.config)
	if p["TargetType"] != "SSM_DOCUMENT" || fmt.Sprint(p["TargetId"]) != fmt.Sprint(map[string]any{"Ref": r.doc}) ||
		fmt.Sprint(p["ConfigRuleName"]) != fmt.Sprint(map[string]any{"Ref": r.rule}) {
		t.Errorf("%s: target %v %v rule %v, want SSM_DOCUMENT %s for %s", r.config, p["TargetType"], p["TargetId"], p["ConfigRuleName"], r.doc, r.rule)
	}
	given, _ := p["Parameters"].(map[string]any)
	var names []string
	for n := range given {
		names = append(names, n)
	}
	slices.Sort(names)
	if !slices.Equal(names, params) {
		t.Errorf("%s passes %v; the document declares %v", r.config, names, params)
	}
	role := fmt.Sprint(given["AutomationAssumeRole"])
	if !strings.Contains(role, r.role) {
		t.Errorf("%s: AutomationAssumeRole %s is not %s", r.config, role, r.role)
	}
	rule := props(tpl, r.rule)
	if src, _ := rule["Source"].(map[string]any); src["Owner"] != "CUSTOM_LAMBDA" {
		t.Errorf("%s: Source %v, want the byok rule function (CUSTOM_LAMBDA)", r.rule, src)
	}
}
