package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// discoverEnv points the SDK at sb as the Security account's admin.
func discoverEnv(t *testing.T, sb *sandboxrun.Sandbox) string {
	t.Helper()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty-aws-config")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	akid, secret := sandbox.AccountKeys("111111111111")
	for k, v := range map[string]string{"AWS_ENDPOINT_URL": sb.URL(), "AWS_ACCESS_KEY_ID": akid,
		"AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "", "AWS_REGION": "eu-west-1", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty, estate.EnvVar: "", "NO_COLOR": "1"} {
		t.Setenv(k, v)
	}
	return dir
}

// estateFacts is what discover must reproduce: keys (alias, Region,
// consumer account, replicas), environments' accounts, Regions, Security
// account.
func estateFacts(e *estate.Estate) string {
	var keys []string
	for _, k := range e.Keys() {
		keys = append(keys, fmt.Sprintf("%s@%s consumer=%s replicas=%v", k.Alias, k.Region, k.Consumer, k.Replicas))
	}
	sort.Strings(keys)
	envs := map[string]string{}
	for _, en := range e.Environments {
		envs[en.Name] = en.Account
	}
	return fmt.Sprintf("security=%s regions=%v envs=%v\n%s", e.SecurityAccount, e.Regions, envs, strings.Join(keys, "\n"))
}

// TestDiscoverDemoEstate: on the demo sandbox, estate discover writes a
// file that estate validate accepts and that describes the same keys,
// aliases, accounts and replicas as examples/estate.yaml; with --org from
// a member account it still works, says why there are no names, and
// names the accounts when run from the management account.
func TestDiscoverDemoEstate(t *testing.T) {
	sb := sandboxrun.NewTest(t, true)
	dir := discoverEnv(t, sb)
	out := filepath.Join(dir, "byok.yaml")
	code, stdout, stderr := cliRun(t, "estate", "discover", "--regions", "eu-west-1,eu-central-1", "--out", out, "--org")
	if code != exitOK && code != exitFindings {
		t.Fatalf("discover: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "AWSOrganizationsNotInUseException") {
		t.Fatalf("--org outside any organisation must say so on stderr:\n%s", stderr)
	}
	if c, o, e := cliRun(t, "estate", "validate", out); c != exitOK {
		t.Fatalf("estate validate of the draft: exit %d\n%s\n%s", c, o, e)
	}
	got, err := estate.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := estate.Load(filepath.Join("..", "..", "examples", "estate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if g, w := estateFacts(got), estateFacts(want); g != w {
		t.Fatalf("discovered estate differs from examples/estate.yaml\n got: %s\nwant: %s\nstdout:\n%s", g, w, stdout)
	}

	for _, a := range []string{"999999999999"} {
		if err := sb.AddAccount(a, "management"); err != nil {
			t.Fatal(err)
		}
	}
	if err := sb.SetOrganization("999999999999", []string{"111111111111", "222222222222", "333333333333"}, "111111111111"); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = cliRun(t, "estate", "discover", "--out", out, "--force", "--org", "--format", "json")
	if code != exitOK && code != exitFindings {
		t.Fatalf("discover --org as delegated administrator: exit %d\n%s", code, stderr)
	}
	text, _ := os.ReadFile(out)
	t.Logf("draft:\n%s", text)
	if !strings.Contains(string(text), `Organizations: "dev"`) || !strings.Contains(string(text), `Organizations: "prod"`) {
		t.Fatalf("draft does not name the accounts from Organizations:\n%s", text)
	}
	var js discoveredJSON
	if err := json.Unmarshal([]byte(stdout), &js); err != nil || js.Keys != len(want.Keys()) {
		t.Fatalf("--format json: %+v %v\n%s", js, err, stdout)
	}
}

// TestDiscoverBadInput: the bad inputs, each with the line to
// edit or a clear refusal.
func TestDiscoverBadInput(t *testing.T) {
	sb := sandboxrun.NewTest(t, true)
	dir := discoverEnv(t, sb)
	out := filepath.Join(dir, "byok.yaml")
	ctx := context.Background()
	sec := kms.NewFromConfig(sb.Config(ctx, "111111111111"))
	// A second EXTERNAL key that claims dev/s3 through a pattern that
	// ignores a prefix, and a key whose policy has a wildcard principal.
	wild := `{"Version":"2012-10-17","Statement":[{"Sid":"Open","Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"},` +
		`{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"}]}`
	for alias, policy := range map[string]string{"alias/legacy/dev/s3": "", "alias/dev/rds-wild": wild, "alias/stage/s3": wild, "alias/qa/s3": ""} {
		in := &kms.CreateKeyInput{Origin: types.OriginTypeExternal}
		if policy != "" {
			in.Policy = aws.String(policy)
		}
		k, err := sec.CreateKey(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sec.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: k.KeyMetadata.KeyId}); err != nil {
			t.Fatal(err)
		}
		if alias == "alias/qa/s3" {
			if _, err := sec.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/qa/rds"), TargetKeyId: k.KeyMetadata.KeyId}); err != nil {
				t.Fatal(err)
			}
		}
	}
	cases := map[string]struct {
		args     []string
		code     int
		contains []string
	}{
		"pattern matches nothing": {[]string{"--alias-pattern", "alias/nothing-{env}/{service}"}, exitFailed,
			[]string{"no EXTERNAL key", "--alias-pattern"}},
		"pattern without service": {[]string{"--alias-pattern", "alias/{env}"}, exitUsage, []string{"{service}"}},
		"pattern outside alias/":  {[]string{"--alias-pattern", "{env}/{service}"}, exitUsage, []string{"alias/"}},
		"unclassified keys": {nil, exitFindings, []string{
			"alias/dev/rds-wild", // matches, but rds-wild is no service
			"none matching",      // alias/legacy/dev/s3
			"allows anyone",      // alias/stage/s3's wildcard
		}},
		"one key, two env/service": {nil, exitFindings, []string{"2 aliases matching", "alias/qa/rds, alias/qa/s3"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"estate", "discover", "--out", out, "--force"}, c.args...)
			code, stdout, stderr := cliRun(t, args...)
			all := stdout + stderr
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s", code, c.code, all)
			}
			for _, s := range c.contains {
				if !strings.Contains(all, s) {
					t.Fatalf("output lacks %q\n%s", s, all)
				}
			}
		})
	}
	if code, _, stderr := cliRun(t, "estate", "discover", "--out", out); code != exitFailed || !strings.Contains(stderr, "--force") {
		t.Fatalf("existing --out without --force: exit %d\n%s", code, stderr)
	}
}
