package eventssvc_test

import (
	"path/filepath"
	"testing"

	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/sandbox/trail"
)

// TestUndeliveredEventsReplayedAtStart: a failed KMS call recorded by a
// process that died before delivering it (here: recorded into the state
// file with no EventBridge listening) reaches the log group when the
// sandbox starts again, once, however often it restarts.
func TestUndeliveredEventsReplayedAtStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.log")
	open := func() *sandboxrun.Sandbox { return openDurable(t, path) }
	sb := open()
	deployWatch(t, sb, security, ebtypes.RuleStateEnabled)
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}

	bare, err := sandbox.New(sandbox.Options{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	keyARN := "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000"
	err = bare.Env.Trail.Record(trail.Event{EventID: "11111111-2222-3333-4444-555555555555", EventTime: bare.Env.Clock.Now(),
		EventSource: "kms.amazonaws.com", EventName: "ScheduleKeyDeletion", AWSRegion: "eu-west-1",
		UserIdentity:      trail.UserIdentity{Type: "IAMUser", AccountID: security, ARN: "arn:aws:iam::111111111111:user/admin"},
		RequestParameters: map[string]any{"keyId": keyARN}, ErrorCode: "NotFoundException", ErrorMessage: "not found",
		RequestID: "r", RecipientAccountID: security, Accounts: []string{security}})
	if err != nil {
		t.Fatal(err)
	}
	if err := bare.Close(); err != nil {
		t.Fatal(err)
	}

	for i := 0; i < 2; i++ {
		sb = open()
		got := readGroup(t, sb, security)
		if len(got) != 1 || got[0].Detail.EventName != "ScheduleKeyDeletion" || got[0].Detail.ErrorCode != "NotFoundException" {
			t.Fatalf("start %d: delivered %s, want the one failed call", i+1, summary(got))
		}
		if err := sb.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// openDurable starts a sandbox on the state file at path with the
// Security account, as a restarted sandbox process would be.
func openDurable(t *testing.T, path string) *sandboxrun.Sandbox {
	return sandboxrun.StartDurableTest(t, path, security, "security")
}
