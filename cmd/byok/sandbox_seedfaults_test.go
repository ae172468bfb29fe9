package main

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
)

// Seeding is the world as it was, not traffic: the sandbox starts every
// time whatever faults, lost answers, latency and quotas it is given, and
// they are in force for the traffic that follows.
func TestSandboxStartsUnderEveryFault(t *testing.T) {
	args := []string{"--listen", "127.0.0.1:0", "--enforce-quotas", "--latency", "30ms",
		"--fault", "kms:*:KMSInternalException:1", "--fault", "sts:*:ThrottlingException:0.5",
		"--fault-after", "kms:ImportKeyMaterial:1", "--fault-after", "kms:*:0.5"}
	ctx := context.Background()
	for i := range 20 {
		f, err := parseSandboxFlags(args, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		sb, err := startSandbox(ctx, f, io.Discard)
		if err != nil {
			t.Fatalf("start %d: %v", i+1, err)
		}
		if i == 0 {
			c := kms.NewFromConfig(sb.Config(ctx, "111111111111"), func(o *kms.Options) { o.RetryMaxAttempts = 1 })
			_, err := c.ListKeys(ctx, &kms.ListKeysInput{})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "KMSInternalException" {
				t.Errorf("traffic after the seed: ListKeys = %v, want the injected KMSInternalException", err)
			}
		}
		if err := sb.Close(); err != nil {
			t.Fatalf("close %d: %v", i+1, err)
		}
	}
}
