package rotation_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
)

func TestAliasMissingOnlyForNotFound(t *testing.T) {
	k := estate.Key{Alias: "alias/prod/s3", Account: "111111111111", Region: "eu-west-1"}
	cases := map[string]struct {
		err  error
		want bool
	}{
		"not found":          {fmt.Errorf("describe key: %w", &types.NotFoundException{Message: aws.String("Alias not found")}), true},
		"invalid state":      {fmt.Errorf("describe key: %w", &types.KMSInvalidStateException{}), false},
		"plain error":        {errors.New("connection refused"), false},
		"no error (planned)": {nil, false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p, ok := rotation.AliasMissing(k, estate.StrategyInPlace, c.err, time.Now())
			if ok != c.want {
				t.Fatalf("ok = %v, want %v", ok, c.want)
			}
			if ok && (p.Refused == nil || !errors.Is(p.Refused, rotation.ErrAliasMissing) || p.Key.Alias != k.Alias) {
				t.Fatalf("plan %+v: want refused with ErrAliasMissing for %s", p, k.Alias)
			}
		})
	}
}

// TestPlanKeysMissingAlias: with one estate alias deleted in the sandbox,
// PlanKeys refuses that key with the reason and plans every other key.
func TestPlanKeysMissingAlias(t *testing.T) {
	w := newWorld(t, true)
	ctx := context.Background()
	keys := w.est.Keys()
	gone := keys[0]
	if _, err := w.admin(gone.Account, gone.Region).DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(gone.Alias)}); err != nil {
		t.Fatal(err)
	}
	plans, err := w.eng.PlanKeys(ctx, keys, estate.StrategyInPlace)
	if err != nil {
		t.Fatalf("PlanKeys: %v", err)
	}
	if len(plans) != len(keys) {
		t.Fatalf("%d plans for %d keys", len(plans), len(keys))
	}
	for _, p := range plans {
		missing := p.Key.Alias == gone.Alias && p.Key.Region == gone.Region
		if got := p.Refused != nil && errors.Is(p.Refused, rotation.ErrAliasMissing); got != missing {
			t.Errorf("%s %s: refused for a missing alias = %v, want %v (%v)", p.Key.Alias, p.Key.Region, got, missing, p.Refused)
		}
	}
}
