package configrule

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	ctypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/sandbox/configsvc"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// sbRig is a handler wired to the sandbox's Config service (the real SDK
// over HTTP, as the dev account) with in-memory key facts: the sandbox
// enforces what AWS documents for PutEvaluations (batches of 100,
// annotations of 1–256, no INSUFFICIENT_DATA, result tokens bound to the
// rule and account) and keeps the results.
type sbRig struct {
	t      testing.TB
	sb     *sandboxrun.Sandbox
	h      *Handler
	client *configservice.Client // dev's admin
}

func newSandboxRig(t testing.TB, facts compliance.Facts) *sbRig {
	t.Helper()
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	sb := sandboxrun.NewTest(t, false)
	if err := sb.AddAccount(devAcct, "dev"); err != nil {
		t.Fatal(err)
	}
	client := configservice.NewFromConfig(sb.Config(context.Background(), devAcct), func(o *configservice.Options) { o.RetryMaxAttempts = 1 })
	return &sbRig{t: t, sb: sb, client: client, h: &Handler{
		Facts:  bindFacts(facts),
		Estate: fixedEstate{testEstate(t)},
		Config: func(context.Context, string) (ConfigAPI, error) { return client, nil },
		Now:    func() time.Time { return testNow },
	}}
}

// sandboxEvents asks the sandbox for the rule's events in dev.
func (r *sbRig) sandboxEvents(message, typ, id string) []events.ConfigEvent {
	r.t.Helper()
	evs, err := r.sb.ConfigService.Events(configsvc.EventRequest{Account: devAcct, Region: region, RuleName: ruleName,
		MessageType: message, ResourceType: typ, ResourceID: id, RuleParameters: map[string]string{"executionRoleName": "byok-config-rule-member"}})
	if err != nil {
		r.t.Fatal(err)
	}
	return evs
}

// event loads a fixture and gives it a result token the sandbox issued
// for the rule in dev.
func (r *sbRig) event(t testing.TB, name string) events.ConfigEvent {
	t.Helper()
	ev := loadEvent(t, name)
	ev.ResultToken = r.sandboxEvents("scheduled", "", "")[0].ResultToken
	return ev
}

// Evaluations reads the rule's results in dev with
// GetComplianceDetailsByConfigRule, by "type/id".
func (r *sbRig) Evaluations(rule string) map[string]storedEval {
	r.t.Helper()
	c := configservice.NewFromConfig(r.sb.Config(context.Background(), devAcct))
	out := map[string]storedEval{}
	p := configservice.NewGetComplianceDetailsByConfigRulePaginator(c, &configservice.GetComplianceDetailsByConfigRuleInput{
		ConfigRuleName: aws.String(rule), Limit: 100})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		var noRule *ctypes.NoSuchConfigRuleException
		if errors.As(err, &noRule) {
			return out // no event was ever issued for the rule
		}
		if err != nil {
			r.t.Fatal(err)
		}
		for _, e := range page.EvaluationResults {
			q := e.EvaluationResultIdentifier.EvaluationResultQualifier
			out[aws.ToString(q.ResourceType)+"/"+aws.ToString(q.ResourceId)] = storedEval{Rule: rule,
				Type: aws.ToString(q.ResourceType), ID: aws.ToString(q.ResourceId), Compliance: string(e.ComplianceType),
				Annotation: aws.ToString(e.Annotation), Ordering: aws.ToTime(e.EvaluationResultIdentifier.OrderingTimestamp)}
		}
	}
	return out
}

// Calls counts the dev account's calls of a Config operation.
func (r *sbRig) Calls(op string) int { return int(r.sb.Counters().Get(devAcct, "config", op)) }

// storedEval is one result as GetComplianceDetailsByConfigRule returns it.
type storedEval struct {
	Rule, Type, ID, Compliance, Annotation string
	Ordering                               time.Time
}

// inject records an item the sandbox's services cannot produce, through
// the Config service's fault hook.
func (r *sbRig) inject(it configsvc.Item) {
	r.t.Helper()
	if it.Account == "" {
		it.Account, it.Region = devAcct, region
	}
	if it.ChangedAt.IsZero() {
		it.ChangedAt = captureTime
	}
	if err := r.sb.ConfigService.InjectItem(it); err != nil {
		r.t.Fatal(err)
	}
}
