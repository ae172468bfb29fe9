package pace

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/smithy-go"
)

// QuotaLister is the Service Quotas call Load makes.
type QuotaLister interface {
	ListServiceQuotas(ctx context.Context, in *servicequotas.ListServiceQuotasInput,
		opts ...func(*servicequotas.Options)) (*servicequotas.ListServiceQuotasOutput, error)
}

// Origin says where the rates of a scope come from.
type Origin int

// Origins; the zero value is invalid.
const (
	OriginUnknown       Origin = iota
	OriginDefaults             // AWS's defaults (Service Quotas not read)
	OriginServiceQuotas        // applied values read from Service Quotas
)

func (o Origin) String() string {
	switch o {
	case OriginDefaults:
		return "defaults"
	case OriginServiceQuotas:
		return "service-quotas"
	}
	return "unknown"
}

// Source reports which rates pace one (account, Region, service): applied
// values from Service Quotas, or the defaults and why.
type Source struct {
	Account, Region, Service string
	Origin                   Origin
	Reason                   string             // why defaults, when they are
	Applied                  map[string]float64 // quota name → applied value that differs from the default
}

type appliedSet struct {
	values map[string]float64
	source Source
}

// Load reads the applied request quotas of service in account and Region
// through sq and paces by them from now on. When sq is nil or the caller
// may not read Service Quotas (AccessDeniedException, NoSuchResource…),
// the defaults stay in force and the Source says why; only a cancelled ctx
// is an error. An applied value lower than the default is honoured.
func (p *Pacer) Load(ctx context.Context, account, region, service string, sq QuotaLister) (Source, error) {
	src := Source{Account: account, Region: region, Service: service, Origin: OriginDefaults}
	if sq == nil {
		src.Reason = "Service Quotas not consulted"
		return p.setApplied(src, nil), nil
	}
	values, err := p.list(ctx, service, sq)
	if err != nil {
		if ctx.Err() != nil {
			return src, fmt.Errorf("read service quotas for %s in %s/%s: %w", service, account, region, ctx.Err())
		}
		src.Reason = "Service Quotas unreadable: " + errorCode(err)
		return p.setApplied(src, nil), nil
	}
	src.Origin = OriginServiceQuotas
	src.Applied = map[string]float64{}
	for name, v := range values {
		if q, ok := p.lookupName(service, name); ok && q.PerSecond != v {
			src.Applied[name] = v
		}
	}
	return p.setApplied(src, values), nil
}

func (p *Pacer) list(ctx context.Context, service string, sq QuotaLister) (map[string]float64, error) {
	values := map[string]float64{}
	in := &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String(service)}
	for {
		out, err := sq.ListServiceQuotas(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, q := range out.Quotas {
			name, perr := ParseQuotaName(aws.ToString(q.QuotaName))
			if perr != nil || q.Value == nil || *q.Value <= 0 {
				continue // resource quotas and unset values do not pace
			}
			values[name] = *q.Value
		}
		if aws.ToString(out.NextToken) == "" {
			return values, nil
		}
		in.NextToken = out.NextToken
	}
}

func (p *Pacer) lookupName(service, name string) (Quota, bool) {
	for _, q := range p.table.Quotas(service) {
		if q.Name == name {
			return q, true
		}
	}
	return Quota{}, false
}

func (p *Pacer) setApplied(src Source, values map[string]float64) Source {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.applied[scope{src.Account, src.Region, src.Service}] = appliedSet{values: values, source: src}
	for bk := range p.buckets {
		if bk.account == src.Account && bk.region == src.Region && bk.service == src.Service {
			delete(p.buckets, bk)
		}
	}
	return src
}

func (p *Pacer) limitLocked(k Key, q Quota) float64 {
	if v, ok := p.applied[scope{k.Account, k.Region, k.Service}].values[q.Name]; ok {
		return v
	}
	return q.PerSecond
}

// Sources lists what Load recorded, by account, Region and service.
func (p *Pacer) Sources() []Source {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Source, 0, len(p.applied))
	for _, a := range p.applied {
		out = append(out, a.source)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.Service < b.Service
	})
	return out
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return err.Error()
}
