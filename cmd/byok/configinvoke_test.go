package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

const (
	invokeSec    = "111111111111"
	invokeDev    = "222222222222"
	invokeBucket = "byok-estate-111111111111"
	invokeURI    = "s3://" + invokeBucket + "/byok.yaml"
)

// invokeSandbox is the seeded demo sandbox with the estate uploaded and,
// when withRole, the member role in dev; the environment holds the
// Security account's exports, as after `eval $(byok sandbox …)`.
func invokeSandbox(t *testing.T, withRole bool) *sandboxrun.Sandbox {
	t.Helper()
	empty := filepath.Join(t.TempDir(), "none")
	sb := sandboxrun.NewTest(t, true)
	akid, secret := sandbox.AccountKeys(invokeSec)
	for k, v := range map[string]string{"AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty, "AWS_PROFILE": "",
		"AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "", "AWS_REGION": sb.Region(),
		"AWS_ENDPOINT_URL": sb.URL(), "BYOK_ESTATE_S3_URI": "", sandbox.AdminTokenEnv: sb.AdminToken()} {
		t.Setenv(k, v)
	}
	if withRole {
		err := sb.AddRole(identity.Role{ARN: "arn:aws:iam::" + invokeDev + ":role/" + memberRoleName, Account: invokeDev,
			Name: memberRoleName, Trusted: []string{invokeSec}})
		if err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	c := awsx.S3(sb.Config(ctx, invokeSec))
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(invokeBucket), CreateBucketConfiguration: &s3types.CreateBucketConfiguration{
		LocationConstraint: s3types.BucketLocationConstraint(sb.Region())}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(invokeBucket), Key: aws.String("byok.yaml"),
		Body: bytes.NewReader(estate.ExampleYAML())}); err != nil {
		t.Fatal(err)
	}
	return sb
}

func TestConfigInvoke(t *testing.T) {
	invokeSandbox(t, true)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"sandbox", "config-invoke", "--account", invokeDev, "--rule", "byok-key-rotation",
		"--message", "change", "--resource-type", "AWS::S3::Bucket", "--estate-s3", invokeURI}, &stdout, &stderr)
	out := stdout.String()
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, stderr.String())
	}
	for _, want := range []string{
		"sent COMPLIANT      AWS::S3::Bucket/byok-demo-dev-app-data  KEY_COMPLIANT:",
		"sent NON_COMPLIANT  AWS::S3::Bucket/byok-demo-dev-logs  ALIAS_RESOLVES_IN_RESOURCE_ACCOUNT:",
		"sent NON_COMPLIANT  AWS::S3::Bucket/byok-demo-dev-legacy-exports  UNENCRYPTED:",
		"3 event(s), 3 evaluation(s) sent, 0 invocation(s) failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+stderr.String(), os.Getenv("AWS_SECRET_ACCESS_KEY")) {
		t.Fatal("output shows the secret access key")
	}
}

func TestConfigInvokeErrors(t *testing.T) {
	invokeSandbox(t, false)
	base := []string{"--account", invokeDev, "--rule", "r", "--message", "scheduled", "--estate-s3", invokeURI}
	tests := map[string]struct {
		args []string
		env  map[string]string
		code int
		want string
	}{
		"bad message":       {[]string{"--account", invokeDev, "--rule", "r", "--message", "daily", "--estate-s3", invokeURI}, nil, 64, "--message \"daily\""},
		"bad account":       {[]string{"--account", "22", "--rule", "r", "--message", "change", "--estate-s3", invokeURI}, nil, 64, "12-digit"},
		"id without type":   {append([]string{"--resource-id", "x"}, base...), nil, 64, "--resource-id needs --resource-type"},
		"bad estate uri":    {[]string{"--account", invokeDev, "--rule", "r", "--message", "change", "--estate-s3", "https://x/y"}, nil, 64, "estateS3Uri"},
		"no role":           {append([]string{"--execution-role-name", "not-deployed"}, base...), nil, 1, "assume execution role arn:aws:iam::222222222222:role/not-deployed"},
		"not security acct": {base, devCreds(), 1, "here account 222222222222's"},
		"service-linked":    {append([]string{"--execution-role-name", "", "--execution-role", "arn:aws:iam::222222222222:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"}, base...), nil, 64, "executionRoleName"},
		"custom role ARN":   {append([]string{"--execution-role-name", "", "--execution-role", "arn:aws:iam::222222222222:role/not-deployed"}, base...), nil, 1, "assume execution role arn:aws:iam::222222222222:role/not-deployed"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"sandbox", "config-invoke"}, tc.args...), &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr.String(), tc.code, tc.want)
			}
		})
	}
}

func devCreds() map[string]string {
	akid, secret := sandbox.AccountKeys(invokeDev)
	return map[string]string{"AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_ACCESS_KEY": secret}
}
