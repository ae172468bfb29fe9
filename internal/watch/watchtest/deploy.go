package watchtest

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/byok-dev/byok/internal/watch"
)

// Logs and Events are the calls Deploy makes.
type (
	Logs interface {
		CreateLogGroup(ctx context.Context, in *cloudwatchlogs.CreateLogGroupInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error)
		PutResourcePolicy(ctx context.Context, in *cloudwatchlogs.PutResourcePolicyInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutResourcePolicyOutput, error)
	}
	Events interface {
		PutRule(ctx context.Context, in *eventbridge.PutRuleInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutRuleOutput, error)
		PutTargets(ctx context.Context, in *eventbridge.PutTargetsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutTargetsOutput, error)
	}
)

// Source names what Deploy creates.
type Source struct {
	Account, Region, LogGroup, Rule string
	// State is the rule's state (watch.RuleState when empty).
	State ebtypes.RuleState
	// NoTarget leaves the rule without its target (a broken deployment).
	NoTarget bool
}

// Deploy creates s as the deploy/ templates do: group, its resource
// policy (events.amazonaws.com may create streams and put events, from
// the rule only), rule, target.
func Deploy(ctx context.Context, l Logs, e Events, s Source) error {
	groupARN := "arn:aws:logs:" + s.Region + ":" + s.Account + ":log-group:" + s.LogGroup
	ruleARN := "arn:aws:events:" + s.Region + ":" + s.Account + ":rule/" + s.Rule
	if _, err := l.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(s.LogGroup)}); err != nil {
		return fmt.Errorf("create log group: %w", err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"EventBridgeWrites","Effect":"Allow",` +
		`"Principal":{"Service":"events.amazonaws.com"},"Action":["logs:CreateLogStream","logs:PutLogEvents"],` +
		`"Resource":"` + groupARN + `:*","Condition":{"ArnEquals":{"aws:SourceArn":"` + ruleARN + `"}}}]}`
	if _, err := l.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: aws.String(s.Rule + "-events"),
		PolicyDocument: aws.String(doc)}); err != nil {
		return fmt.Errorf("put resource policy: %w", err)
	}
	state := s.State
	if state == "" {
		state = ebtypes.RuleState(watch.RuleState)
	}
	if _, err := e.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(s.Rule), EventPattern: aws.String(watch.RulePattern),
		State: state}); err != nil {
		return fmt.Errorf("put rule: %w", err)
	}
	if s.NoTarget {
		return nil
	}
	out, err := e.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(s.Rule),
		Targets: []ebtypes.Target{{Id: aws.String("kms-failed-calls-log-group"), Arn: aws.String(groupARN + ":*")}}})
	if err != nil {
		return fmt.Errorf("put targets: %w", err)
	}
	if out.FailedEntryCount != 0 {
		return fmt.Errorf("put targets: %d failed", out.FailedEntryCount)
	}
	return nil
}
