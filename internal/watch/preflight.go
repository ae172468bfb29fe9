package watch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/smithy-go"
)

// LogsReader is what the pre-flight check and a LogSource call.
type LogsReader interface {
	Logs
	DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
}

// Rules is the part of EventBridge the pre-flight check reads.
type Rules interface {
	DescribeRule(ctx context.Context, in *eventbridge.DescribeRuleInput, opts ...func(*eventbridge.Options)) (*eventbridge.DescribeRuleOutput, error)
	ListTargetsByRule(ctx context.Context, in *eventbridge.ListTargetsByRuleInput, opts ...func(*eventbridge.Options)) (*eventbridge.ListTargetsByRuleOutput, error)
}

// RuleState is the state the rule must have: read-only management events
// (Encrypt, Decrypt, GenerateDataKey) reach EventBridge only with it.
const RuleState = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"

// DeployHint names what creates the source: the deploy/ templates'
// parameter, on by default.
const DeployHint = "deploy deploy/security-account.yaml (Security account) and deploy/member-account.yaml (each consumer account) " +
	"in every Region byok rotates, with KmsFailedCallsWatch=true (the default): it creates the log group, its resource policy, " +
	"the EventBridge rule and the read permissions; or set watch.source: cloudtrail in the estate"

// Why a log group source is refused.
var (
	ErrLogGroupMissing    = errors.New("the log group of failed KMS calls does not exist")
	ErrLogGroupUnreadable = errors.New("the log group of failed KMS calls cannot be read")
	ErrRuleMissing        = errors.New("the EventBridge rule of failed KMS calls does not exist")
	ErrRuleState          = errors.New("the EventBridge rule does not receive read-only management events")
	ErrRuleTarget         = errors.New("the EventBridge rule does not target the log group")
)

// SourceError is a refused log group source in one account and Region.
type SourceError struct {
	Account, Region string
	Err             error  // one of the Err… above
	Detail          string // what was found
	Hint            string
}

func (e *SourceError) Error() string {
	return fmt.Sprintf("watch source in %s %s: %v (%s); fix: %s", e.Account, e.Region, e.Err, e.Detail, e.Hint)
}

func (e *SourceError) Unwrap() error { return e.Err }

// SourceCheck is a passed check of one account and Region.
type SourceCheck struct {
	Account, Region, LogGroup, Rule string
	// RuleChecked is false when the role may not read the rule
	// (events:DescribeRule / ListTargetsByRule denied): the log group was
	// checked, the rule was not; RuleNote says so.
	RuleChecked bool
	RuleNote    string
}

// CheckLogSource checks, before a watch relies on it, that group exists
// in account and region and can be read, and that rule exists, receives
// read-only management events and targets group. A rule the role may
// not read is reported as not checked, never as fine.
func CheckLogSource(ctx context.Context, l LogsReader, r Rules, account, region, group, rule string) (SourceCheck, error) {
	c := SourceCheck{Account: account, Region: region, LogGroup: group, Rule: rule}
	fail := func(err error, detail string) (SourceCheck, error) {
		return c, &SourceError{Account: account, Region: region, Err: err, Detail: detail, Hint: DeployHint}
	}
	// The rule is read while the group is: a run waits for its pre-flight
	// in every account. A problem with the group is reported first.
	type ruleResult struct {
		c   SourceCheck
		err error
	}
	ruled := make(chan ruleResult, 1)
	go func() {
		rc, err := checkRule(ctx, r, c, fail)
		ruled <- ruleResult{rc, err}
	}()
	if err := checkGroup(ctx, l, group); err != nil {
		<-ruled
		var se *SourceError
		if errors.As(err, &se) {
			return fail(se.Err, se.Detail)
		}
		return fail(ErrLogGroupUnreadable, err.Error())
	}
	res := <-ruled
	return res.c, res.err
}

// checkGroup checks that group exists and can be read: a FilterLogEvents
// probe; when the probe is denied, DescribeLogGroups says whether the
// group is missing or only unreadable.
func checkGroup(ctx context.Context, l LogsReader, group string) error {
	_, err := l.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), Limit: aws.Int32(1),
		StartTime: aws.Int64(time.Now().Add(-time.Minute).UnixMilli())})
	switch {
	case err == nil:
		return nil
	case isCode(err, "ResourceNotFoundException"):
		return &SourceError{Err: ErrLogGroupMissing, Detail: "no log group named " + group}
	case isCode(err, "AccessDeniedException") && errors.Is(findLogGroup(ctx, l, group), ErrLogGroupMissing):
		return &SourceError{Err: ErrLogGroupMissing, Detail: "no log group named " + group}
	}
	return &SourceError{Err: ErrLogGroupUnreadable, Detail: "FilterLogEvents on " + group + ": " + err.Error()}
}

// findLogGroup finds group by name with DescribeLogGroups.
func findLogGroup(ctx context.Context, l LogsReader, group string) error {
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(l, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(group)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("DescribeLogGroups: %w", err)
		}
		for _, g := range out.LogGroups {
			if aws.ToString(g.LogGroupName) == group {
				return nil
			}
		}
	}
	return ErrLogGroupMissing
}

// targetsGroup reports whether a rule target ARN is c's log group
// (arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME, with or without ":*").
func targetsGroup(arn string, c SourceCheck) bool {
	parts := strings.SplitN(strings.TrimSuffix(arn, ":*"), ":", 7)
	return len(parts) == 7 && parts[0] == "arn" && parts[2] == "logs" && parts[3] == c.Region &&
		parts[4] == c.Account && parts[5] == "log-group" && parts[6] == c.LogGroup
}

func checkRule(ctx context.Context, r Rules, c SourceCheck, fail func(error, string) (SourceCheck, error)) (SourceCheck, error) {
	// Both reads at once: a run waits for its pre-flight in every account.
	type listed struct {
		out *eventbridge.ListTargetsByRuleOutput
		err error
	}
	lc := make(chan listed, 1)
	go func() {
		out, err := r.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(c.Rule)})
		lc <- listed{out, err}
	}()
	out, err := r.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(c.Rule)})
	l := <-lc
	switch {
	case isCode(err, "AccessDeniedException"):
		c.RuleNote = "the rule " + c.Rule + " was not checked: the role may not call events:DescribeRule"
		return c, nil
	case isCode(err, "ResourceNotFoundException"):
		return fail(ErrRuleMissing, "no rule named "+c.Rule+" on the default event bus")
	case err != nil:
		return fail(ErrRuleMissing, "DescribeRule "+c.Rule+": "+err.Error())
	case string(out.State) != RuleState:
		return fail(ErrRuleState, fmt.Sprintf("rule %s is %s, want %s", c.Rule, out.State, RuleState))
	}
	targets, err := l.out, l.err
	switch {
	case isCode(err, "AccessDeniedException"):
		c.RuleNote = "the targets of rule " + c.Rule + " were not checked: the role may not call events:ListTargetsByRule"
		return c, nil
	case err != nil:
		return fail(ErrRuleTarget, "ListTargetsByRule "+c.Rule+": "+err.Error())
	}
	for _, t := range targets.Targets {
		if targetsGroup(aws.ToString(t.Arn), c) {
			c.RuleChecked = true
			return c, nil
		}
	}
	return fail(ErrRuleTarget, fmt.Sprintf("rule %s has %d target(s), none is log group %s", c.Rule, len(targets.Targets), c.LogGroup))
}

func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// RulePattern is the event pattern of the rule deploy/ creates: every
// KMS call CloudTrail reports with an errorCode.
const RulePattern = `{"source":["aws.kms"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"errorCode":[{"exists":true}]}}`

// ReadActions are the IAM actions the eventbridge source needs in each
// account it reads: on the log group, FilterLogEvents (the watch) and
// DescribeLogGroups (the pre-flight check); on the rule, DescribeRule and
// ListTargetsByRule (the pre-flight check, reported as not checked when
// denied).
func ReadActions() (logGroup, rule []string) {
	return []string{"logs:FilterLogEvents", "logs:DescribeLogGroups"}, []string{"events:DescribeRule", "events:ListTargetsByRule"}
}
