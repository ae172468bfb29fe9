package configsvc_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/byok-dev/byok/internal/sandbox/configsvc"
)

// The fault hooks: an injected item is recorded like a live resource and
// its removal as a deletion; FailEvaluations lists the next n evaluations
// in FailedEvaluations and records them no more.
func TestFaultHooks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	it := configsvc.Item{ResourceType: configsvc.TypeDBCluster, ResourceID: "cluster-X", ResourceName: "x", Account: acct, Region: region,
		ChangedAt: e.srv.Env.Clock.Now(), Configuration: json.RawMessage(`{"storageEncrypted":true}`)}
	if err := e.cfg.InjectItem(it); err != nil {
		t.Fatal(err)
	}
	if err := e.cfg.InjectItem(configsvc.Item{ResourceType: "AWS::Made::Up", ResourceID: "x", Account: acct, Region: region}); !errors.Is(err, configsvc.ErrEventRequest) {
		t.Fatalf("unknown type injected: %v", err)
	}
	hist := func() []types.ConfigurationItem {
		out, err := e.conf.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{ResourceType: types.ResourceTypeDBCluster, ResourceId: aws.String("cluster-X")})
		if err != nil {
			t.Fatal(err)
		}
		return out.ConfigurationItems
	}
	if h := hist(); len(h) != 1 || aws.ToString(h[0].Configuration) != `{"storageEncrypted":true}` {
		t.Fatalf("injected history = %+v", h)
	}
	e.srv.Env.Clock.Advance(time.Minute)
	e.cfg.RemoveInjected(acct, region, configsvc.TypeDBCluster, "cluster-X")
	if h := hist(); len(h) != 2 || h[0].ConfigurationItemStatus != types.ConfigurationItemStatusResourceDeleted {
		t.Fatalf("after removal = %+v", h)
	}

	evs, err := e.cfg.Events(configsvc.EventRequest{Account: acct, Region: region, RuleName: "r", MessageType: "scheduled"})
	if err != nil {
		t.Fatal(err)
	}
	e.cfg.FailEvaluations(1)
	in := &configservice.PutEvaluationsInput{ResultToken: aws.String(evs[0].ResultToken)}
	for _, id := range []string{"a", "b"} {
		in.Evaluations = append(in.Evaluations, types.Evaluation{ComplianceResourceType: aws.String(configsvc.TypeBucket), ComplianceResourceId: aws.String(id),
			ComplianceType: types.ComplianceTypeCompliant, OrderingTimestamp: aws.Time(time.Now())})
	}
	out, err := e.conf.PutEvaluations(ctx, in)
	if err != nil || len(out.FailedEvaluations) != 1 || aws.ToString(out.FailedEvaluations[0].ComplianceResourceId) != "a" {
		t.Fatalf("PutEvaluations = %+v, %v; want a failed", out, err)
	}
	det, err := e.conf.GetComplianceDetailsByConfigRule(ctx, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String("r")})
	if err != nil || len(det.EvaluationResults) != 1 {
		t.Fatalf("recorded = %+v, %v; want only b", det, err)
	}
}
