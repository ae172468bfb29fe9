package configrule_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/configrule"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

const secAccount = "111111111111"

// The loader reads the estate from an S3 object in the Security account
// (sandbox S3, real SDK), keeps it while the ETag holds, and re-reads it
// when the object changes.
func TestEstateLoaderS3(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	sb := sandboxrun.NewTest(t, false)
	if err := sb.AddAccount(secAccount, "security"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg := sb.Config(ctx, secAccount)
	putEstate(t, cfg, estate.ExampleYAML())
	l := &configrule.EstateLoader{S3: awsx.S3(cfg)} // Recheck 0: HeadObject on every call
	p := configrule.Params{EstateS3URI: "s3://" + estateBucket + "/" + estateKey}
	gets := func() int64 { return sb.Counters().Get(secAccount, "s3", "GetObject") }

	first, err := l.Estate(ctx, p)
	if err != nil || first.SecurityAccount != secAccount || first.Policy.MaxMaterialAge != 365*24*time.Hour {
		t.Fatalf("estate = %+v, %v", first, err)
	}
	again, err := l.Estate(ctx, p)
	if err != nil || again != first || gets() != 1 {
		t.Fatalf("unchanged object: same=%v gets=%d err=%v", again == first, gets(), err)
	}
	putEstate(t, cfg, bytes.Replace(estate.ExampleYAML(), []byte("max_material_age: 365d"), []byte("max_material_age: 90d"), 1))
	changed, err := l.Estate(ctx, p)
	if err != nil || changed == first || changed.Policy.MaxMaterialAge != 90*24*time.Hour || gets() != 2 {
		t.Fatalf("changed object: %+v gets=%d err=%v", changed.Policy, gets(), err)
	}

	tests := map[string]configrule.Params{
		"missing object": {EstateS3URI: "s3://" + estateBucket + "/missing.yaml"},
		"missing bucket": {EstateS3URI: "s3://no-such-estate-bucket/byok.yaml"},
		"not an estate":  {EstateS3URI: "s3://" + estateBucket + "/bad.yaml"},
		"no location":    {},
	}
	putObject(t, cfg, "bad.yaml", "security_account: nope\n")
	for name, p := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := (&configrule.EstateLoader{S3: awsx.S3(cfg)}).Estate(ctx, p); !errors.Is(err, configrule.ErrEstate) {
				t.Fatalf("err = %v, want ErrEstate", err)
			}
		})
	}
}

// Within Recheck the loader does not even look at the object.
func TestEstateLoaderRecheck(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	sb := sandboxrun.NewTest(t, false)
	if err := sb.AddAccount(secAccount, "security"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg := sb.Config(ctx, secAccount)
	putEstate(t, cfg, estate.ExampleYAML())
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	l := &configrule.EstateLoader{S3: awsx.S3(cfg), Recheck: time.Minute, Now: func() time.Time { return now }}
	p := configrule.Params{EstateS3URI: "s3://" + estateBucket + "/" + estateKey}
	heads := func() int64 { return sb.Counters().Get(secAccount, "s3", "HeadObject") }
	for range 3 {
		if _, err := l.Estate(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if heads() != 1 {
		t.Fatalf("HeadObject %d times within Recheck", heads())
	}
	now = now.Add(2 * time.Minute)
	if _, err := l.Estate(ctx, p); err != nil || heads() != 2 {
		t.Fatalf("after Recheck: heads=%d err=%v", heads(), err)
	}
}
