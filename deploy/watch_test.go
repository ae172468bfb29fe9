package deploy_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/watch"
)

// The templates that create the watch's log group and rule.
var watchTemplates = []string{"security-account.yaml", "member-account.yaml", "kms-failed-calls.yaml"}

// TestWatchRuleMatchesCode: each template's rule is what the pre-flight
// check requires (state, pattern, target the log group), under the names
// the estate defaults to, behind KmsFailedCallsWatch (on by default), and
// the log group lets events.amazonaws.com write.
func TestWatchRuleMatchesCode(t *testing.T) {
	var want any
	if err := json.Unmarshal([]byte(watch.RulePattern), &want); err != nil {
		t.Fatal(err)
	}
	for _, name := range watchTemplates {
		t.Run(name, func(t *testing.T) {
			tpl, err := loadTemplate(name)
			if err != nil {
				t.Fatal(err)
			}
			checkWatchParams(t, tpl)
			rule := watchProps(t, tpl, "KmsFailedCallsRule", "AWS::Events::Rule")
			if rule["State"] != watch.RuleState {
				t.Errorf("rule State %v, want %s", rule["State"], watch.RuleState)
			}
			if got := normalise(rule["EventPattern"]); !reflect.DeepEqual(got, want) {
				t.Errorf("rule pattern %v, want %v", got, want)
			}
			targets := asList(rule["Targets"])
			if len(targets) != 1 || !strings.Contains(fmt.Sprint(targets[0]), "Fn::GetAtt:[KmsFailedCallsLogGroup Arn]") {
				t.Errorf("rule targets %v, want the log group", targets)
			}
			checkLogPolicy(t, watchProps(t, tpl, "KmsFailedCallsLogPolicy", "AWS::Logs::ResourcePolicy"))
		})
	}
}

func checkWatchParams(t *testing.T, tpl *template) {
	t.Helper()
	defaults := map[string]string{"KmsFailedCallsWatch": "true", "KmsFailedCallsLogGroupName": estate.DefaultWatchLogGroup,
		"KmsFailedCallsRuleName": estate.DefaultWatchRule}
	for p, def := range defaults {
		m, _ := tpl.Parameters[p].(map[string]any)
		if fmt.Sprint(m["Default"]) != def {
			t.Errorf("parameter %s default %v, want %s", p, m["Default"], def)
		}
	}
	for _, r := range []string{"KmsFailedCallsLogGroup", "KmsFailedCallsLogPolicy", "KmsFailedCallsRule"} {
		if c := tpl.Resources[r].(map[string]any)["Condition"]; c != "WatchFailedCalls" {
			t.Errorf("%s condition %v, want WatchFailedCalls", r, c)
		}
	}
}

func checkLogPolicy(t *testing.T, p map[string]any) {
	t.Helper()
	doc, ok := jsonPolicy(p["PolicyDocument"]).(map[string]any)
	if !ok {
		t.Fatalf("log group policy %v", p["PolicyDocument"])
	}
	for _, st := range asList(doc["Statement"]) {
		s := st.(map[string]any)
		acts := fmt.Sprint(s["Action"])
		if fmt.Sprint(s["Principal"]) == "map[Service:events.amazonaws.com]" && strings.Contains(acts, "logs:PutLogEvents") &&
			strings.Contains(acts, "logs:CreateLogStream") {
			return
		}
	}
	t.Errorf("the log group's policy does not let events.amazonaws.com create streams and put events: %v", doc)
}

func watchProps(t *testing.T, tpl *template, name, typ string) map[string]any {
	t.Helper()
	r, _ := tpl.Resources[name].(map[string]any)
	if r["Type"] != typ {
		t.Fatalf("%s: %s is %v, want %s", tpl.Name, name, r["Type"], typ)
	}
	p, _ := r["Properties"].(map[string]any)
	return p
}

// normalise turns YAML-decoded values into what encoding/json decodes.
func normalise(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// TestWatchRolesGrantExactlyTheReads: the roles byok reads CloudTrail
// through (the Security account's operator role, each member's verify
// role) grant the eventbridge source's actions, on the log group and the
// rule only.
func TestWatchRolesGrantExactlyTheReads(t *testing.T) {
	logActs, ruleActs := watch.ReadActions()
	for file, role := range map[string]string{"operator-roles.yaml": "RotationOperatorRole.Policies[0]", "member-account.yaml": "VerifyRole.Policies[0]"} {
		tpl, err := loadTemplate(file)
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := tpl.policies()[role].(map[string]any)
		got := map[string][]string{}
		for _, st := range asList(doc["Statement"]) {
			s := st.(map[string]any)
			for _, a := range asList(s["Action"]) {
				name := fmt.Sprint(a)
				if strings.HasPrefix(name, "logs:") || strings.HasPrefix(name, "events:") {
					got[fmt.Sprint(s["Resource"])] = append(got[fmt.Sprint(s["Resource"])], name)
				}
			}
		}
		for res, acts := range got {
			slices.Sort(acts)
			switch {
			case strings.Contains(res, ":log-group:${KmsFailedCallsLogGroupName}:*"):
				checkSame(t, file, res, acts, logActs)
			case strings.Contains(res, ":rule/${KmsFailedCallsRuleName}"):
				checkSame(t, file, res, acts, ruleActs)
			default:
				t.Errorf("%s %s grants %v on %s, not on the watch's log group or rule", file, role, acts, res)
			}
		}
		if len(got) != 2 {
			t.Errorf("%s %s: logs/events grants %v, want the log group's and the rule's", file, role, got)
		}
	}
}

func checkSame(t *testing.T, file, res string, got, want []string) {
	t.Helper()
	w := slices.Clone(want)
	slices.Sort(w)
	if !slices.Equal(got, w) {
		t.Errorf("%s grants %v on %s, want exactly %v", file, got, res, w)
	}
}
