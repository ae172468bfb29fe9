package eventssvc_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	eb "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/sandbox/eventssvc"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

const group = "/byok/kms-failed-calls"

// deployWatch installs in account what byok's stack deploys: the log group,
// a resource policy letting EventBridge write to it, and the rule with the
// group as target.
func deployWatch(t testing.TB, sb *sandboxrun.Sandbox, account string, state ebtypes.RuleState) {
	t.Helper()
	logs := logsClient(sb, account)
	must(logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(group)}))
	arn := "arn:aws:logs:eu-west-1:" + account + ":log-group:" + group
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"EventBridgeToLogs","Effect":"Allow",` +
		`"Principal":{"Service":["events.amazonaws.com","delivery.logs.amazonaws.com"]},` +
		`"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"` + arn + `:*"}]}`
	must(logs.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyName: aws.String("byok-events"), PolicyDocument: aws.String(doc)}))
	c := events(sb, account)
	must(c.PutRule(ctx, &eb.PutRuleInput{Name: aws.String("byok-kms-failed"), EventPattern: aws.String(byokPattern), State: state}))
	out := must(c.PutTargets(ctx, &eb.PutTargetsInput{Rule: aws.String("byok-kms-failed"),
		Targets: []ebtypes.Target{{Id: aws.String("log-group"), Arn: aws.String(arn)}}}))
	if out.FailedEntryCount != 0 {
		t.Fatalf("PutTargets failed: %+v", out.FailedEntries)
	}
}

func logsClient(sb *sandboxrun.Sandbox, account string) *cwl.Client {
	return cwl.NewFromConfig(sb.Config(ctx, account), func(o *cwl.Options) { o.RetryMaxAttempts = 1 })
}

func kmsClient(sb *sandboxrun.Sandbox, account string) *kms.Client {
	return kms.NewFromConfig(sb.Config(ctx, account), func(o *kms.Options) { o.RetryMaxAttempts = 1 })
}

// delivered is one event byok reads back from the log group.
type delivered struct {
	Account    string `json:"account"`
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
	Region     string `json:"region"`
	ID         string `json:"id"`
	Detail     struct {
		EventName          string `json:"eventName"`
		ErrorCode          string `json:"errorCode"`
		ReadOnly           bool   `json:"readOnly"`
		RecipientAccountID string `json:"recipientAccountId"`
		UserIdentity       struct {
			AccountID string `json:"accountId"`
		} `json:"userIdentity"`
	} `json:"detail"`
}

func readGroup(t *testing.T, sb *sandboxrun.Sandbox, account string) []delivered {
	t.Helper()
	var out []delivered
	in := &cwl.FilterLogEventsInput{LogGroupName: aws.String(group)}
	p := cwl.NewFilterLogEventsPaginator(logsClient(sb, account), in)
	for p.HasMorePages() {
		for _, e := range must(p.NextPage(ctx)).Events {
			var d delivered
			if err := json.Unmarshal([]byte(aws.ToString(e.Message)), &d); err != nil {
				t.Fatalf("log event is not an EventBridge event: %v: %s", err, aws.ToString(e.Message))
			}
			if aws.ToString(e.LogStreamName) != d.ID {
				t.Fatalf("stream %q, want the event ID %q", aws.ToString(e.LogStreamName), d.ID)
			}
			out = append(out, d)
		}
	}
	return out
}

func summary(ds []delivered) string {
	var s []string
	for _, d := range ds {
		s = append(s, fmt.Sprintf("%s:%s:%s:ro=%v", d.Account, d.Detail.EventName, d.Detail.ErrorCode, d.Detail.ReadOnly))
	}
	return fmt.Sprint(s)
}

// sharedKey creates, in the Security account, a key the dev account may
// use for encryption (not for grants).
func sharedKey(t *testing.T, sb *sandboxrun.Sandbox) string {
	policy := `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"},
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":["kms:Encrypt","kms:Decrypt","kms:DescribeKey"],"Resource":"*"}]}`
	k := must(kmsClient(sb, security).CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(policy)}))
	return aws.ToString(k.KeyMetadata.Arn)
}

// TestFailedKMSCallsReachLogGroups is the watch path end to end with the
// real SDK: only the failed calls land in the log group, in both accounts
// where CloudTrail records a cross-account call; with State ENABLED a
// failed read-only call is not delivered and a failed write call is.
func TestFailedKMSCallsReachLogGroups(t *testing.T) {
	sb := newSandbox(t, security, dev)
	deployWatch(t, sb, security, ebtypes.RuleStateEnabledWithAllCloudtrailManagementEvents)
	deployWatch(t, sb, dev, ebtypes.RuleStateEnabledWithAllCloudtrailManagementEvents)
	keyARN := sharedKey(t, sb)
	sec, app := kmsClient(sb, security), kmsClient(sb, dev)

	ct := must(app.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyARN), Plaintext: []byte("canary")}))
	must(app.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct.CiphertextBlob}))
	must(sec.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyARN)}))
	_, err := app.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct.CiphertextBlob})
	wantErr[*kmstypes.DisabledException](t, err)

	for _, account := range []string{security, dev} {
		got := readGroup(t, sb, account)
		if len(got) != 1 {
			t.Fatalf("%s: delivered %s, want exactly the failed Decrypt", account, summary(got))
		}
		d := got[0]
		if d.Account != account || d.Source != "aws.kms" || d.DetailType != "AWS API Call via CloudTrail" || d.Region != "eu-west-1" ||
			d.Detail.EventName != "Decrypt" || d.Detail.ErrorCode != "DisabledException" || !d.Detail.ReadOnly ||
			d.Detail.RecipientAccountID != account || d.Detail.UserIdentity.AccountID != dev {
			t.Fatalf("%s: delivered %+v", account, d)
		}
	}

	// The same rule with plain ENABLED: read-only failures no longer match.
	for _, account := range []string{security, dev} {
		must(events(sb, account).PutRule(ctx, &eb.PutRuleInput{Name: aws.String("byok-kms-failed"),
			EventPattern: aws.String(byokPattern), State: ebtypes.RuleStateEnabled}))
	}
	_, err = app.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct.CiphertextBlob})
	wantErr[*kmstypes.DisabledException](t, err)
	_, err = sec.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String("arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000")})
	wantErr[*kmstypes.NotFoundException](t, err)
	if got := readGroup(t, sb, dev); len(got) != 1 {
		t.Fatalf("dev after ENABLED: %s, want only the first failure", summary(got))
	}
	got := readGroup(t, sb, security)
	if len(got) != 2 || got[1].Detail.EventName != "DisableKey" || got[1].Detail.ErrorCode != "NotFoundException" || got[1].Detail.ReadOnly {
		t.Fatalf("security after ENABLED: %s, want the failed Decrypt then the failed DisableKey", summary(got))
	}
}

// TestDeliveryNeedsResourcePolicy: without a resource policy letting
// events.amazonaws.com write, nothing reaches the group and the rule's
// FailedInvocations counts the attempt, as CloudWatch metrics would.
func TestDeliveryNeedsResourcePolicy(t *testing.T) {
	sb := newSandbox(t, security)
	deployWatch(t, sb, security, ebtypes.RuleStateEnabled)
	must(logsClient(sb, security).DeleteResourcePolicy(ctx, &cwl.DeleteResourcePolicyInput{PolicyName: aws.String("byok-events")}))
	_, err := kmsClient(sb, security).DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String("arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000")})
	wantErr[*kmstypes.NotFoundException](t, err)
	if got := readGroup(t, sb, security); len(got) != 0 {
		t.Fatalf("delivered without permission: %s", summary(got))
	}
	ms := sb.Events.Metrics()
	if len(ms) != 1 || ms[0].MatchedEvents != 1 || ms[0].Invocations != 1 || ms[0].FailedInvocations != 1 {
		t.Fatalf("metrics = %+v", ms)
	}
}

// TestRulesSurviveRestart: rules and targets are replayed from the state
// file and keep delivering.
func TestRulesSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.log")
	open := func() *sandboxrun.Sandbox { return openDurable(t, path) }
	sb := open()
	deployWatch(t, sb, security, ebtypes.RuleStateEnabled)
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	sb = open()
	defer sb.Close()
	d := must(events(sb, security).DescribeRule(ctx, &eb.DescribeRuleInput{Name: aws.String("byok-kms-failed")}))
	if d.State != ebtypes.RuleStateEnabled || aws.ToString(d.EventPattern) != byokPattern {
		t.Fatalf("after restart: %+v", d)
	}
	_, err := kmsClient(sb, security).DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String("arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000")})
	wantErr[*kmstypes.NotFoundException](t, err)
	if got := readGroup(t, sb, security); len(got) != 1 || got[0].Detail.EventName != "DisableKey" {
		t.Fatalf("after restart delivered %s", summary(got))
	}
}

// TestMetricsEndpoint: GET /_byok/events/metrics shows the counts.
func TestMetricsEndpoint(t *testing.T) {
	sb := newSandbox(t, security)
	deployWatch(t, sb, security, ebtypes.RuleStateEnabled)
	_, err := kmsClient(sb, security).DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String("arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000")})
	wantErr[*kmstypes.NotFoundException](t, err)
	resp, err := sb.AdminClient().Get(sb.URL() + "/_byok/events/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ms []eventssvc.Metrics
	if err := json.NewDecoder(resp.Body).Decode(&ms); err != nil || resp.StatusCode != 200 {
		t.Fatalf("metrics: %d %v", resp.StatusCode, err)
	}
	want := eventssvc.Metrics{Account: security, Region: "eu-west-1", Rule: "byok-kms-failed", MatchedEvents: 1, Invocations: 1}
	if len(ms) != 1 || ms[0] != want {
		t.Fatalf("metrics = %+v, want [%+v]", ms, want)
	}
}
