package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/watch/watchtest"
)

// TestPlanAndWatchOnEventBridgeSource: with watch.source: eventbridge,
// byok plan shows the source and its pre-flight check (table and JSON)
// and byok watch refuses while the log group is missing (exit 1, naming
// the deploy parameter, never "no failed calls"); once deployed, plan
// shows it checked and byok watch reports a consumer's refused call from
// the log group (exit 2).
func TestPlanAndWatchOnEventBridgeSource(t *testing.T) {
	fx := newFixture(t)
	doc := fxEstateYAML + "watch: {source: eventbridge, delivery_delay: 1s}\n"
	if err := os.WriteFile(fx.estateFile, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cliRun(t, "plan", "--estate", fx.estateFile, "--env", "dev", "--format", "json")
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, errOut)
	}
	var plans []planJSON
	if err := json.Unmarshal([]byte(out), &plans); err != nil || len(plans) == 0 {
		t.Fatalf("plan json: %v\n%s", err, out)
	}
	if w := plans[0].Watch; w == nil || w.Source != "eventbridge" || w.LogGroup != estate.DefaultWatchLogGroup ||
		!strings.Contains(w.Refused, "does not exist") || !strings.Contains(w.Hint, "KmsFailedCallsWatch") {
		t.Fatalf("plan watch = %+v, want the eventbridge source refused with the deploy hint", w)
	}
	code, _, errOut = cliRun(t, "watch", "--estate", fx.estateFile, "--key", "alias/dev/rds", "--format", "json")
	if code != exitFailed || !strings.Contains(errOut, "KmsFailedCallsWatch") {
		t.Fatalf("watch without the log group: exit %d, want 1 naming KmsFailedCallsWatch\n%s", code, errOut)
	}

	for _, acct := range []string{fxSec, fxDev} {
		cfg := fx.cfg(acct)
		src := watchtest.Source{Account: acct, Region: fxRegion, LogGroup: estate.DefaultWatchLogGroup, Rule: estate.DefaultWatchRule}
		if err := watchtest.Deploy(fx.ctx, cloudwatchlogs.NewFromConfig(cfg), eventbridge.NewFromConfig(cfg), src); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ = cliRun(t, "plan", "--estate", fx.estateFile, "--env", "dev")
	if code != 0 || !strings.Contains(out, "read from log group "+estate.DefaultWatchLogGroup) ||
		!strings.Contains(out, fxDev+" "+fxRegion+": log group and rule checked") || strings.Contains(out, "REFUSED") {
		t.Fatalf("plan table: exit %d, want the watch source checked in both accounts\n%s", code, out)
	}
	// prod is not in the dev key's policy: refused, and delivered to the
	// Security account's log group.
	if _, err := fx.kms(fxProd).Encrypt(fx.ctx, &kms.EncryptInput{KeyId: aws.String(fx.keys["alias/dev/rds"]), Plaintext: []byte("x")}); err == nil {
		t.Fatal("prod encrypted with the dev key")
	}
	code, out, errOut = cliRun(t, "watch", "--estate", fx.estateFile, "--key", "alias/dev/rds", "--format", "json")
	if code != exitFindings || !strings.Contains(out, "AccessDeniedException") || !strings.Contains(out, `"account": "`+fxSec) {
		t.Fatalf("watch: exit %d, want 2 with prod's refused Encrypt seen in the Security account\n%s\n%s", code, out, errOut)
	}
}
