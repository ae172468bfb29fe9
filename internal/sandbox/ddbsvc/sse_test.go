package ddbsvc_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/byok-dev/byok/internal/awslimits"
	"github.com/byok-dev/byok/internal/sandbox/ddbsvc"
	"github.com/byok-dev/byok/internal/sandbox/trail"
)

func switchTo(e *env, table, key string) error {
	sse := &types.SSESpecification{Enabled: aws.Bool(true), SSEType: types.SSETypeKms, KMSMasterKeyId: aws.String(key)}
	if key == "" {
		sse = &types.SSESpecification{Enabled: aws.Bool(false)}
	}
	_, err := e.c.UpdateTable(context.Background(), &dynamodb.UpdateTableInput{TableName: aws.String(table), SSESpecification: sse})
	return err
}

func sseOf(t *testing.T, e *env, table string) (status, sseStatus, key string) {
	t.Helper()
	out, err := e.c.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	status = string(out.Table.TableStatus)
	if d := out.Table.SSEDescription; d != nil {
		sseStatus, key = string(d.Status), aws.ToString(d.KMSMasterKeyArn)
	}
	return status, sseStatus, key
}

// TestSSESwitch: UPDATING then ENABLED on the clock, in use meanwhile, the
// daily switch limit with its next allowed time, the AWS owned key always
// allowed, and every switch attempt in CloudTrail.
func TestSSESwitch(t *testing.T) {
	e := newEnv(t)
	clock := e.srv.Env.Clock
	if _, err := e.c.CreateTable(context.Background(), createInput("orders", nil)); err != nil {
		t.Fatal(err)
	}
	if err := switchTo(e, "orders", keyARN); err != nil {
		t.Fatal(err)
	}
	if st, sse, key := sseOf(t, e, "orders"); st != "UPDATING" || sse != "UPDATING" || key != keyARN {
		t.Fatalf("during switch: table %s, SSE %s, key %s", st, sse, key)
	}
	if got := code(switchTo(e, "orders", newKey)); got != "ResourceInUseException" {
		t.Fatalf("switch during switch: %q, want ResourceInUseException", got)
	}
	clock.Advance(ddbsvc.DurSSEUpdate)
	if st, sse, _ := sseOf(t, e, "orders"); st != "ACTIVE" || sse != "ENABLED" {
		t.Fatalf("after switch: table %s, SSE %s", st, sse)
	}
	if got := code(switchTo(e, "orders", keyARN)); got != "ValidationException" {
		t.Fatalf("switch to the same key: %q, want ValidationException", got)
	}
	for _, k := range []string{newKey, keyARN, newKey} {
		if err := switchTo(e, "orders", k); err != nil {
			t.Fatal(err)
		}
		clock.Advance(ddbsvc.DurSSEUpdate)
	}
	if got := code(switchTo(e, "orders", keyARN)); got != "LimitExceededException" {
		t.Fatalf("fifth KMS switch within six hours: %q, want LimitExceededException", got)
	}
	if err := switchTo(e, "orders", ""); err != nil {
		t.Fatalf("switch to the AWS owned key beyond the limit: %v", err)
	}
	clock.Advance(awslimits.SSESwitchQuietTime)
	if err := switchTo(e, "orders", newKey); err != nil {
		t.Fatalf("switch after six quiet hours: %v", err)
	}
	var names, failed int
	e.srv.Env.Trail.Visible(acct, region, func(ev trail.Event) bool {
		if ev.EventName == "UpdateTable" && ev.EventSource == "dynamodb.amazonaws.com" {
			names++
			if ev.ErrorCode != "" {
				failed++
			}
		}
		return true
	})
	if names != 9 || failed != 3 {
		t.Fatalf("CloudTrail UpdateTable events = %d (%d failed), want 9 (3 failed)", names, failed)
	}

}
