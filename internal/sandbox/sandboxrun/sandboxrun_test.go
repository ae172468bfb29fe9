package sandboxrun_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

func TestListenMustBeLoopback(t *testing.T) {
	cases := map[string]struct {
		addr   string
		remote bool
		want   error
	}{
		"ipv4 loopback":          {"127.0.0.1:0", false, nil},
		"ipv6 loopback":          {"[::1]:0", false, nil},
		"localhost":              {"localhost:0", false, nil},
		"all interfaces":         {"0.0.0.0:0", false, sandboxrun.ErrNotLoopback},
		"all interfaces allowed": {"0.0.0.0:0", true, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sb, err := sandboxrun.New(sandboxrun.Options{AllowRemote: tc.remote})
			if err != nil {
				t.Fatal(err)
			}
			defer sb.Close()
			_, err = sb.Start(context.Background(), tc.addr)
			if tc.want == nil && err != nil && strings.Contains(err.Error(), "cannot assign") {
				t.Skipf("no %s on this machine", tc.addr)
			}
			if !errors.Is(err, tc.want) && !(tc.want == nil && err == nil) {
				t.Fatalf("Start(%s) = %v, want %v", tc.addr, err, tc.want)
			}
		})
	}
}

func TestConfigAndExports(t *testing.T) {
	sb := sandboxrun.NewTest(t, false)
	ctx := context.Background()
	if err := sb.AddAccount("444444444444", "staging"); err != nil {
		t.Fatal(err)
	}
	if err := sb.AddAccount("12345", "bad"); err == nil {
		t.Fatal("a 5-digit account ID was accepted")
	}
	id, err := sts.NewFromConfig(sb.Config(ctx, "444444444444")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != "444444444444" {
		t.Fatalf("GetCallerIdentity = %v, %v", id, err)
	}
	if got := sb.Accounts(); !slices.Equal(got, []sandboxrun.Account{{ID: "444444444444", Name: "staging"}}) {
		t.Fatalf("accounts = %+v", got)
	}
	ex := sb.Exports("444444444444")
	if len(ex) != 6 || !strings.HasPrefix(ex[5], "BYOK_SANDBOX_ADMIN_TOKEN=") || ex[0] != "AWS_ENDPOINT_URL="+sb.URL() || !strings.HasPrefix(ex[1], "AWS_ACCESS_KEY_ID=AKIA") || ex[3] != "AWS_REGION=eu-west-1" {
		t.Fatalf("exports = %q", ex)
	}
}

func TestAdminHelpers(t *testing.T) {
	sb := sandboxrun.NewTest(t, false)
	ctx := context.Background()
	if err := sb.AddAccount("111111111111", "security"); err != nil {
		t.Fatal(err)
	}
	before := sb.Now()
	sb.AdvanceClock(48 * time.Hour)
	if d := sb.Now().Sub(before); d < 48*time.Hour || d > 49*time.Hour {
		t.Fatalf("clock moved %v, want 48h", d)
	}
	c := kms.NewFromConfig(sb.Config(ctx, "111111111111"), func(o *kms.Options) { o.RetryMaxAttempts = 1 })
	sb.SetFaults([]faults.Rule{{Service: "kms", Operation: "ListKeys", Code: "KMSInternalException", Status: 500, Count: 1}}, false)
	_, err := c.ListKeys(ctx, &kms.ListKeysInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "KMSInternalException" {
		t.Fatalf("injected fault: got %v", err)
	}
	if _, err := c.ListKeys(ctx, &kms.ListKeysInput{}); err != nil {
		t.Fatalf("after the one injected fault: %v", err)
	}
	if n := sb.Counters().Get("111111111111", "kms", "ListKeys"); n != 2 {
		t.Fatalf("ListKeys counted %d times, want 2", n)
	}
}
