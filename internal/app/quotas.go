package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/pace"
)

// Pace is the one pacer of this process: rotation, key facts and every
// other caller share it, so calls of one account and Region count against
// one budget whichever part makes them.
func (c *Clients) Pace() *pace.Pacer {
	c.paceOnce.Do(func() { c.pace = pace.New(nil) })
	return c.pace
}

// ServiceQuotas acts in account/region.
func (c *Clients) ServiceQuotas(account, region string) *servicequotas.Client {
	return c.client("servicequotas", account, region, func(cfg aws.Config) any { return servicequotas.NewFromConfig(cfg) }).(*servicequotas.Client)
}

// LoadQuotas reads the applied KMS request quotas of account in each
// Region from Service Quotas and paces by them (pace.Pacer.Load). Where
// the role may not read them the defaults stay in force; log is told once
// per distinct reason, not once per Region. Only a cancelled ctx is an
// error.
func (c *Clients) LoadQuotas(ctx context.Context, account string, regions []string, log *slog.Logger) ([]pace.Source, error) {
	p := c.Pace()
	out := make([]pace.Source, len(regions))
	errs := make([]error, len(regions))
	var wg sync.WaitGroup
	for i, r := range regions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = p.Load(ctx, account, r, pace.ServiceKMS, c.ServiceQuotas(account, r))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("load request quotas: %w", err)
		}
	}
	said := map[string]bool{}
	for _, s := range out {
		if s.Origin == pace.OriginDefaults && !said[s.Reason] && log != nil {
			said[s.Reason] = true
			log.Warn("pacing by AWS's default request quotas", "account", account, "reason", s.Reason)
		}
	}
	return out, nil
}

// QuotaRegions are the Regions whose quotas pace work on est: its Regions
// and the Regions of multi-Region replicas.
func QuotaRegions(est *estate.Estate) []string {
	seen := map[string]bool{}
	var out []string
	add := func(r string) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, r := range est.Regions {
		add(r)
	}
	for _, k := range est.Keys() {
		for _, r := range k.Replicas {
			add(r)
		}
	}
	return out
}
