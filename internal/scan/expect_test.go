package scan_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/scan"
)

// TestExpectFindsGaps: against a sandbox seeded for two Regions, the same
// estate finds nothing missing; an estate listing a third Region (no keys,
// no resources there) gets one gap per estate alias and one per consumer
// account in that Region, and each gap matches ErrExpectedMissing.
func TestExpectFindsGaps(t *testing.T) {
	s := shape{accounts: 2, regions: 2, instances: 1, clusters: 1, tables: 1, buckets: 1, services: 3}
	env := newBenchEnv(t, s)
	clients := newBenchClients(t, env)
	ctx := context.Background()
	deps := scan.Deps{Inventory: clients, KMS: clients.kms}
	rep, gaps, err := scan.RunChecked(ctx, env.est, deps, scan.Options{})
	if err != nil || len(rep.Meta.Errors) > 0 || len(gaps) != 0 {
		t.Fatalf("seeded estate: err %v, errors %v, gaps %v; want none", err, rep.Meta.Errors, gaps)
	}
	const empty = "us-east-1"
	yaml := strings.Replace(benchEstateYAML(s), "regions: [eu-west-1, eu-central-1]", "regions: [eu-west-1, eu-central-1, "+empty+"]", 1)
	est, err := estate.Parse("wider.yaml", []byte(yaml))
	if err != nil || len(est.Regions) != 3 {
		t.Fatalf("wider estate: %v (%v)", err, est)
	}
	_, gaps, err = scan.RunChecked(ctx, est, deps, scan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var aliases, accounts int
	for _, g := range gaps {
		if g.Region != empty || !errors.Is(g, scan.ErrExpectedMissing) {
			t.Errorf("gap %v: want only Region %s, matching ErrExpectedMissing", g, empty)
		}
		switch {
		case strings.HasPrefix(g.Reason, "no key:"):
			aliases++
		case strings.HasPrefix(g.Reason, "no resources:"):
			accounts++
		}
	}
	if aliases != 2*3 || accounts != 2 {
		t.Fatalf("gaps: %d missing aliases (want 6), %d empty accounts (want 2): %v", aliases, accounts, gaps)
	}
}
