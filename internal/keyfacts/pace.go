package keyfacts

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/pace"
)

// KMS operations keyfacts calls. ListKeyRotations, at 5 per second by
// default, is what bounds a scan of many keys.
const (
	opDescribeKey      = "DescribeKey"
	opListKeyRotations = "ListKeyRotations"
	opListAliases      = "ListAliases"
	opListResourceTags = "ListResourceTags"
)

// pacedKMS waits for the pacer before every call, so paginators are paced
// page by page, and on throttling slows down and sends the call again
// (pace.Call): a scan stays inside the quota instead of leaning on the
// SDK's retries, and never fails for throttling alone.
type pacedKMS struct {
	k               KMS
	p               *pace.Pacer
	account, region string
}

type kmsOpt = func(*kms.Options)

func paced[I, O any](ctx context.Context, c pacedKMS, op string, f func(context.Context, I, ...kmsOpt) (O, error), in I, opts []kmsOpt) (O, error) {
	opts = append(opts[:len(opts):len(opts)], pace.KMSOption)
	return pace.Call(ctx, c.p, pace.Key{Account: c.account, Region: c.region, Service: pace.ServiceKMS, Op: op},
		func(ctx context.Context) (O, error) { return f(ctx, in, opts...) })
}

func (c pacedKMS) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, opts ...kmsOpt) (*kms.DescribeKeyOutput, error) {
	return paced(ctx, c, opDescribeKey, c.k.DescribeKey, in, opts)
}

func (c pacedKMS) ListKeyRotations(ctx context.Context, in *kms.ListKeyRotationsInput, opts ...kmsOpt) (*kms.ListKeyRotationsOutput, error) {
	return paced(ctx, c, opListKeyRotations, c.k.ListKeyRotations, in, opts)
}

func (c pacedKMS) ListAliases(ctx context.Context, in *kms.ListAliasesInput, opts ...kmsOpt) (*kms.ListAliasesOutput, error) {
	return paced(ctx, c, opListAliases, c.k.ListAliases, in, opts)
}

func (c pacedKMS) ListResourceTags(ctx context.Context, in *kms.ListResourceTagsInput, opts ...kmsOpt) (*kms.ListResourceTagsOutput, error) {
	return paced(ctx, c, opListResourceTags, c.k.ListResourceTags, in, opts)
}

// client returns the KMS client of account/region, paced when r.Pace is set.
func (r *Reader) client(account, region string) KMS {
	k := r.Client(account, region)
	if r.Pace == nil {
		return k
	}
	return pacedKMS{k: k, p: r.Pace, account: account, region: region}
}
