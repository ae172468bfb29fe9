package watch_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/watch"
	"github.com/byok-dev/byok/internal/watch/watchtest"
)

// TestCheckLogSource: the pre-flight check against the sandbox, for each
// way the deployment can be missing or wrong; which error, and that it
// names the deploy parameter.
func TestCheckLogSource(t *testing.T) {
	deny := func(op string) []faults.Rule {
		return []faults.Rule{{Service: "events", Operation: op, Code: "AccessDeniedException", Status: 400,
			Message: "not authorized to perform events:" + op}}
	}
	cases := map[string]struct {
		deploy      *watchtest.Source
		faults      []faults.Rule
		want        error
		ruleChecked bool
	}{
		"deployed":              {deploy: &watchtest.Source{}, ruleChecked: true},
		"nothing deployed":      {want: watch.ErrLogGroupMissing},
		"rule only ENABLED":     {deploy: &watchtest.Source{State: "ENABLED"}, want: watch.ErrRuleState},
		"rule DISABLED":         {deploy: &watchtest.Source{State: "DISABLED"}, want: watch.ErrRuleState},
		"rule without target":   {deploy: &watchtest.Source{NoTarget: true}, want: watch.ErrRuleTarget},
		"rule of another name":  {deploy: &watchtest.Source{Rule: "other"}, want: watch.ErrRuleMissing},
		"group of another name": {deploy: &watchtest.Source{LogGroup: "/byok/other"}, want: watch.ErrLogGroupMissing},
		"DescribeRule denied":   {deploy: &watchtest.Source{}, faults: deny("DescribeRule")},
		"targets denied":        {deploy: &watchtest.Source{}, faults: deny("ListTargetsByRule")},
		"missing, probe denied": {want: watch.ErrLogGroupMissing, faults: []faults.Rule{{Service: "logs",
			Operation: "FilterLogEvents", Code: "AccessDeniedException", Status: 400, Message: "not authorized"}}},
		"group unreadable": {deploy: &watchtest.Source{}, want: watch.ErrLogGroupUnreadable, faults: []faults.Rule{{Service: "logs",
			Operation: "FilterLogEvents", Code: "AccessDeniedException", Status: 400, Message: "not authorized"}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sb := sandboxrun.NewTest(t, true)
			if d := tc.deploy; d != nil {
				d.Account = sec
				d.Region, d.LogGroup, d.Rule = region, cmp(d.LogGroup, group), cmp(d.Rule, rule)
				deploySource(t, sb, *d)
			}
			sb.SetFaults(tc.faults, false)
			ctx := context.Background()
			cfg := sb.Config(ctx, sec)
			c, err := watch.CheckLogSource(ctx, cloudwatchlogs.NewFromConfig(cfg), eventbridge.NewFromConfig(cfg), sec, region, group, rule)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if err != nil {
				var se *watch.SourceError
				if !errors.As(err, &se) || se.Account != sec || se.Region != region || !strings.Contains(err.Error(), "KmsFailedCallsWatch") {
					t.Fatalf("error %v: want a SourceError of %s %s naming the deploy parameter", err, sec, region)
				}
				return
			}
			if c.RuleChecked != tc.ruleChecked || (!c.RuleChecked && !strings.Contains(c.RuleNote, "not checked")) {
				t.Fatalf("check %+v, want rule checked %v (or a note saying it was not)", c, tc.ruleChecked)
			}
		})
	}
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
