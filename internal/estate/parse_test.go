package estate

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestParseExample(t *testing.T) {
	e, err := Parse("example.yaml", ExampleYAML())
	if err != nil {
		t.Fatalf("example: %v", err)
	}
	want := &Estate{
		Path:            "example.yaml",
		SecurityAccount: "111111111111",
		Regions:         []string{"eu-west-1"},
		AliasFormat:     "alias/{env}/{service}",
		Policy: Policy{
			MaxMaterialAge: 365 * 24 * time.Hour,
			ExpiryWarning:  30 * 24 * time.Hour,
			Wrapping:       Wrapping{Algorithm: "RSAES_OAEP_SHA_1", KeySpec: "RSA_4096"},
			Strategy:       StrategyInPlace,
		},
		HSM: "pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:BYOK_HSM_PIN",
		Roles: Roles{
			Operator: "arn:aws:iam::111111111111:role/byok-operator",
			Verify:   "arn:aws:iam::{account}:role/byok-verify",
		},
		Environments: []Environment{
			{Name: "dev", Account: "222222222222", MaintenanceWindow: &Window{Day: time.Saturday, Start: 2 * time.Hour, Duration: 2 * time.Hour}},
			{Name: "prod", Account: "333333333333", MaintenanceWindow: &Window{Day: time.Sunday, Start: 3 * time.Hour, Duration: 2 * time.Hour}},
		},
		Services:    []Service{ServiceS3, ServiceRDS, ServiceDynamoDB},
		MultiRegion: []MultiRegionKey{{Env: "prod", Service: ServiceDynamoDB, Replicas: []string{"eu-central-1"}}},
		Watch:       DefaultWatch(),
	}
	if !reflect.DeepEqual(e, want) {
		t.Fatalf("got  %+v\nwant %+v", e, want)
	}
}

func TestExampleCopiesIdentical(t *testing.T) {
	public, err := os.ReadFile(filepath.Join("..", "..", "examples", "estate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(public, ExampleYAML()) {
		t.Fatal("examples/estate.yaml and internal/estate/example.yaml differ; copy one over the other")
	}
}

func TestDefaults(t *testing.T) {
	e, err := Parse("", []byte(withLines(nil)))
	if err != nil {
		t.Fatal(err)
	}
	want := Policy{
		MaxMaterialAge: DefaultMaxMaterialAge,
		ExpiryWarning:  DefaultExpiryWarning,
		Wrapping:       Wrapping{Algorithm: "RSAES_OAEP_SHA_256", KeySpec: "RSA_4096"},
		Strategy:       StrategyInPlace,
	}
	if e.Policy != want || e.AliasFormat != "alias/{env}/{service}" || e.MultiRegion != nil || e.Path != "" {
		t.Fatalf("defaults: %+v", e)
	}
	if DefaultMaxMaterialAge != 365*24*time.Hour || DefaultExpiryWarning != 30*24*time.Hour {
		t.Fatal("default durations changed")
	}
	if prod, _ := e.Environment("prod"); prod.MaintenanceWindow != nil {
		t.Errorf("prod window %+v, want none", prod.MaintenanceWindow)
	}
}

func TestParseValues(t *testing.T) {
	doc := withLines(map[int]string{
		1: "security_account: 011111111111", // YAML reads an int; the text is kept
		8: `  dev: {account: 022222222222, maintenance_window: "Fri 23:30-01:00 UTC"}`,
		5: `  operator: "arn:aws:iam::011111111111:role/ops/team/byok-operator"`,
	}, "policy:", "  max_material_age: 1w2d12h", "  expiry_warning: 36h",
		"  strategy: new-key", "alias_format: alias/byok-{env}-{service}")
	e, err := Parse("v.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := e.Environment("dev")
	checks := map[string][2]any{
		"security":  {e.SecurityAccount, "011111111111"},
		"dev acct":  {dev.Account, "022222222222"},
		"window":    {*dev.MaintenanceWindow, Window{Day: time.Friday, Start: 23*time.Hour + 30*time.Minute, Duration: 90 * time.Minute}},
		"max age":   {e.Policy.MaxMaterialAge, 9*24*time.Hour + 12*time.Hour},
		"warning":   {e.Policy.ExpiryWarning, 36 * time.Hour},
		"strategy":  {e.Policy.Strategy, StrategyNewKey},
		"alias":     {e.Alias("dev", ServiceRDS), "alias/byok-dev-rds"},
		"operator":  {e.Roles.Operator, "arn:aws:iam::011111111111:role/ops/team/byok-operator"},
		"verify me": {e.VerifyRole("022222222222"), "arn:aws:iam::022222222222:role/byok-verify"},
	}
	for name, c := range checks {
		if !reflect.DeepEqual(c[0], c[1]) {
			t.Errorf("%s = %v, want %v", name, c[0], c[1])
		}
	}
}

func TestParseFollowsAnchors(t *testing.T) {
	doc := withLines(map[int]string{2: "regions: &regs [eu-west-1]"},
		"multi_region: [{env: prod, service: s3, replicas: [us-east-1]}]", "x_unused: *regs")
	_, err := Parse("a.yaml", []byte(doc))
	if got := Errors(err); len(got) != 1 || got[0].Field != "x_unused" {
		t.Fatalf("want only the unknown field x_unused, got %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	good := map[string]time.Duration{
		"365d": 365 * 24 * time.Hour, "52w": 52 * 7 * 24 * time.Hour, "8760h": 8760 * time.Hour,
		"1.5d": 36 * time.Hour, "1h30m": 90 * time.Minute, "1w1d": 8 * 24 * time.Hour, "90s": 90 * time.Second,
	}
	for in, want := range good {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "0d", "-1d", "+1d", "365", "d", "1y", "1..5d", "1d-", "1e3d", "99999999999w", "9223372036854775807h1h"} {
		if d, err := ParseDuration(in); !errors.Is(err, ErrDuration) {
			t.Errorf("ParseDuration(%q) = %v, %v; want ErrDuration", in, d, err)
		}
	}
	for _, d := range []time.Duration{365 * 24 * time.Hour, 36 * time.Hour, time.Minute} {
		if back, err := ParseDuration(FormatDuration(d)); err != nil || back != d {
			t.Errorf("round trip %v via %q = %v, %v", d, FormatDuration(d), back, err)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "byok.yaml")
	if err := os.WriteFile(path, ExampleYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := Load(path)
	if err != nil || e.Path != path {
		t.Fatalf("Load: %v, path %q", err, e.Path)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}
