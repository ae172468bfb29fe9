package eventssvc_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

const (
	security    = "111111111111"
	dev         = "222222222222"
	byokPattern = `{"source":["aws.kms"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"errorCode":[{"exists":true}]}}`
)

var ctx = context.Background()

// must returns v or stops the test (through a panic the testing package
// reports with the failing call's stack) when the SDK call failed.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

func wantErr[E error](t *testing.T, err error) E {
	t.Helper()
	var e E
	if !errors.As(err, &e) {
		t.Fatalf("error %v, want %T", err, e)
	}
	return e
}

func newSandbox(t testing.TB, accounts ...string) *sandboxrun.Sandbox {
	sb := sandboxrun.NewTest(t, false)
	for _, a := range accounts {
		if err := sb.AddAccount(a, "acct-"+a); err != nil {
			t.Fatal(err)
		}
	}
	return sb
}

func events(sb *sandboxrun.Sandbox, account string) *eb.Client {
	return eb.NewFromConfig(sb.Config(ctx, account), func(o *eb.Options) { o.RetryMaxAttempts = 1 })
}

func TestRules(t *testing.T) {
	sb := newSandbox(t, security)
	c := events(sb, security)
	out := must(c.PutRule(ctx, &eb.PutRuleInput{Name: aws.String("byok-kms-failed"), EventPattern: aws.String(byokPattern),
		State: ebtypes.RuleStateEnabledWithAllCloudtrailManagementEvents, Description: aws.String("failed KMS calls")}))
	if aws.ToString(out.RuleArn) != "arn:aws:events:eu-west-1:111111111111:rule/byok-kms-failed" {
		t.Fatalf("RuleArn %q", aws.ToString(out.RuleArn))
	}
	d := must(c.DescribeRule(ctx, &eb.DescribeRuleInput{Name: aws.String("byok-kms-failed")}))
	if d.State != ebtypes.RuleStateEnabledWithAllCloudtrailManagementEvents || aws.ToString(d.EventPattern) != byokPattern ||
		aws.ToString(d.EventBusName) != "default" {
		t.Fatalf("describe = %+v", d)
	}
	for i := 0; i < 3; i++ {
		must(c.PutRule(ctx, &eb.PutRuleInput{Name: aws.String(fmt.Sprintf("other-%d", i)), EventPattern: aws.String(`{"source":["aws.s3"]}`)}))
	}
	var names []string
	in := &eb.ListRulesInput{NamePrefix: aws.String("other-"), Limit: aws.Int32(2)}
	for pages := 0; ; pages++ {
		pg := must(c.ListRules(ctx, in))
		for _, r := range pg.Rules {
			names = append(names, aws.ToString(r.Name))
		}
		if pg.NextToken == nil || pages > 3 {
			break
		}
		in.NextToken = pg.NextToken
	}
	if fmt.Sprint(names) != "[other-0 other-1 other-2]" {
		t.Fatalf("ListRules = %v", names)
	}
	must(c.DisableRule(ctx, &eb.DisableRuleInput{Name: aws.String("other-0")}))
	if s := must(c.DescribeRule(ctx, &eb.DescribeRuleInput{Name: aws.String("other-0")})).State; s != ebtypes.RuleStateDisabled {
		t.Fatalf("state after DisableRule %s", s)
	}
	must(c.EnableRule(ctx, &eb.EnableRuleInput{Name: aws.String("other-0")}))
	must(c.DeleteRule(ctx, &eb.DeleteRuleInput{Name: aws.String("other-0")}))
	must(c.DeleteRule(ctx, &eb.DeleteRuleInput{Name: aws.String("other-0")})) // repeated deletes succeed
	_, err := c.DescribeRule(ctx, &eb.DescribeRuleInput{Name: aws.String("other-0")})
	wantErr[*ebtypes.ResourceNotFoundException](t, err)
}

func TestRuleErrors(t *testing.T) {
	sb := newSandbox(t, security)
	c := events(sb, security)
	cases := map[string]struct {
		in    eb.PutRuleInput
		check func(error)
	}{
		"bad pattern": {eb.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":"aws.kms"}`)},
			func(err error) { wantErr[*ebtypes.InvalidEventPatternException](t, err) }},
		"not json": {eb.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{`)},
			func(err error) { wantErr[*ebtypes.InvalidEventPatternException](t, err) }},
		"other bus": {eb.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(byokPattern), EventBusName: aws.String("custom")},
			func(err error) { wantErr[*ebtypes.ResourceNotFoundException](t, err) }},
		"no pattern": {eb.PutRuleInput{Name: aws.String("r")}, func(err error) { validation(t, err) }},
		"bad name":   {eb.PutRuleInput{Name: aws.String("a b"), EventPattern: aws.String(byokPattern)}, func(err error) { validation(t, err) }},
		"bad state": {eb.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(byokPattern), State: "ON"},
			func(err error) { validation(t, err) }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := c.PutRule(ctx, &tc.in)
			tc.check(err)
		})
	}
}

// validation asserts EventBridge's ValidationException, which the SDK has
// no type for (it is a generic API error with that code).
func validation(t *testing.T, err error) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), "ValidationException") {
		t.Fatalf("error %v, want ValidationException", err)
	}
}

func TestTargets(t *testing.T) {
	sb := newSandbox(t, security)
	c := events(sb, security)
	must(c.PutRule(ctx, &eb.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(byokPattern)}))
	out := must(c.PutTargets(ctx, &eb.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{
		{Id: aws.String("logs"), Arn: aws.String("arn:aws:logs:eu-west-1:111111111111:log-group:/byok/kms-failed-calls")},
		{Id: aws.String("bad"), Arn: aws.String("not-an-arn")},
		{Id: aws.String("xform"), Arn: aws.String("arn:aws:sqs:eu-west-1:111111111111:q"), Input: aws.String(`{"a":1}`)},
	}}))
	if out.FailedEntryCount != 2 || len(out.FailedEntries) != 2 || aws.ToString(out.FailedEntries[0].TargetId) != "bad" {
		t.Fatalf("PutTargets = %+v", out)
	}
	_, err := c.DeleteRule(ctx, &eb.DeleteRuleInput{Name: aws.String("r")})
	validation(t, err)
	if !strings.Contains(err.Error(), "Rule can't be deleted since it has targets.") {
		t.Fatalf("DeleteRule error %v", err)
	}
	ts := must(c.ListTargetsByRule(ctx, &eb.ListTargetsByRuleInput{Rule: aws.String("r")}))
	if len(ts.Targets) != 1 || aws.ToString(ts.Targets[0].Id) != "logs" {
		t.Fatalf("targets = %+v", ts.Targets)
	}
	var many []ebtypes.Target
	for i := 0; i < 5; i++ {
		many = append(many, ebtypes.Target{Id: aws.String(fmt.Sprint("t", i)), Arn: aws.String("arn:aws:sqs:eu-west-1:111111111111:q")})
	}
	_, err = c.PutTargets(ctx, &eb.PutTargetsInput{Rule: aws.String("r"), Targets: many})
	wantErr[*ebtypes.LimitExceededException](t, err)
	_, err = c.PutTargets(ctx, &eb.PutTargetsInput{Rule: aws.String("nope"), Targets: many[:1]})
	wantErr[*ebtypes.ResourceNotFoundException](t, err)
	must(c.RemoveTargets(ctx, &eb.RemoveTargetsInput{Rule: aws.String("r"), Ids: []string{"logs"}}))
	must(c.DeleteRule(ctx, &eb.DeleteRuleInput{Name: aws.String("r")}))
}

func TestTestEventPattern(t *testing.T) {
	sb := newSandbox(t, security)
	c := events(sb, security)
	ev := `{"version":"0","id":"1","detail-type":"AWS API Call via CloudTrail","source":"aws.kms","account":"111111111111",` +
		`"time":"2026-01-01T00:00:00Z","region":"eu-west-1","resources":[],"detail":{"errorCode":"AccessDenied"}}`
	got := must(c.TestEventPattern(ctx, &eb.TestEventPatternInput{EventPattern: aws.String(byokPattern), Event: aws.String(ev)}))
	if !got.Result {
		t.Fatal("pattern does not match a failed KMS call")
	}
	ok := strings.Replace(ev, `"errorCode":"AccessDenied"`, `"eventName":"Decrypt"`, 1)
	if must(c.TestEventPattern(ctx, &eb.TestEventPatternInput{EventPattern: aws.String(byokPattern), Event: aws.String(ok)})).Result {
		t.Fatal("pattern matches a successful call")
	}
	_, err := c.TestEventPattern(ctx, &eb.TestEventPatternInput{EventPattern: aws.String(byokPattern), Event: aws.String(`{"source":"x"}`)})
	validation(t, err)
	_, err = c.TestEventPattern(ctx, &eb.TestEventPatternInput{EventPattern: aws.String(`[]`), Event: aws.String(ev)})
	wantErr[*ebtypes.InvalidEventPatternException](t, err)
}
