package awsx_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// isolate keeps the developer's AWS configuration out of the test.
func isolate(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", empty)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
	t.Setenv("AWS_PROFILE", "")
}

func TestAccountsAssumeOperatorAndVerifyRoles(t *testing.T) {
	isolate(t)
	sb := sandboxrun.NewTest(t, true)
	ctx := context.Background()
	base := sb.Config(ctx, "111111111111")
	accts := awsx.NewAccounts(base, "111111111111",
		"arn:aws:iam::111111111111:role/byok-operator", "arn:aws:iam::{account}:role/byok-verify")
	cases := map[string]string{
		"111111111111": "arn:aws:sts::111111111111:assumed-role/byok-operator/" + awsx.SessionName,
		"222222222222": "arn:aws:sts::222222222222:assumed-role/byok-verify/" + awsx.SessionName,
		"333333333333": "arn:aws:sts::333333333333:assumed-role/byok-verify/" + awsx.SessionName,
	}
	for acct, want := range cases {
		got, err := awsx.CallerARN(ctx, accts.For(acct))
		if err != nil || got != want {
			t.Errorf("For(%s) acts as %q (%v), want %q", acct, got, err, want)
		}
	}
	if got, err := awsx.CallerARN(ctx, accts.Base()); err != nil || got != "arn:aws:iam::111111111111:user/byok-admin" {
		t.Errorf("Base() acts as %q (%v), want the caller's own identity", got, err)
	}
}

func TestLoadWithoutRegion(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	_, err := awsx.Load(context.Background(), "")
	if !errors.Is(err, awsx.ErrNoRegion) {
		t.Fatalf("Load with no region: %v, want ErrNoRegion", err)
	}
}

func TestLoadFailsFastWithAHint(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	sb := sandboxrun.NewTest(t, false)
	cases := map[string]struct {
		endpoint, key, secret string
		want                  error
	}{
		"endpoint down":  {closedURL, "AKIAEXAMPLE000000000", "secret", awsx.ErrEndpointDown},
		"no credentials": {sb.URL(), "", "", awsx.ErrNoCredentials},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			isolate(t)
			t.Setenv("AWS_ENDPOINT_URL", tc.endpoint)
			t.Setenv("AWS_ACCESS_KEY_ID", tc.key)
			t.Setenv("AWS_SECRET_ACCESS_KEY", tc.secret)
			t.Setenv("AWS_SESSION_TOKEN", "")
			_, err := awsx.Load(context.Background(), "eu-west-1")
			if !errors.Is(err, tc.want) {
				t.Fatalf("Load = %v, want %v", err, tc.want)
			}
		})
	}
}
