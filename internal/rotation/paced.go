package rotation

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/watch"
)

// pacedKMS is a KMS client whose every call first waits its turn under the
// account's quota for that operation (Engine.Limits), and on throttling
// slows down and tries again (pace.Call).
type pacedKMS struct {
	k       KMS
	l       *pace.Pacer
	account string
	region  string
}

type kmsOpt = func(*kms.Options)

func paced[I, O any](ctx context.Context, p pacedKMS, op string, f func(context.Context, I, ...kmsOpt) (O, error), in I, opts []kmsOpt) (O, error) {
	if j, ok := journalOption(ctx, op); ok {
		opts = append(opts[:len(opts):len(opts)], j)
	}
	if p.l == nil {
		return f(ctx, in, opts...)
	}
	opts = append(opts[:len(opts):len(opts)], pace.KMSOption)
	return pace.Call(ctx, p.l, pace.Key{Account: p.account, Region: p.region, Service: pace.ServiceKMS, Op: op},
		func(ctx context.Context) (O, error) { return f(ctx, in, opts...) })
}

func (p pacedKMS) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, o ...kmsOpt) (*kms.DescribeKeyOutput, error) {
	return paced(ctx, p, "DescribeKey", p.k.DescribeKey, in, o)
}

func (p pacedKMS) ListKeyRotations(ctx context.Context, in *kms.ListKeyRotationsInput, o ...kmsOpt) (*kms.ListKeyRotationsOutput, error) {
	return paced(ctx, p, "ListKeyRotations", p.k.ListKeyRotations, in, o)
}

func (p pacedKMS) GetParametersForImport(ctx context.Context, in *kms.GetParametersForImportInput, o ...kmsOpt) (*kms.GetParametersForImportOutput, error) {
	return paced(ctx, p, opGetParameters, p.k.GetParametersForImport, in, o)
}

func (p pacedKMS) ImportKeyMaterial(ctx context.Context, in *kms.ImportKeyMaterialInput, o ...kmsOpt) (*kms.ImportKeyMaterialOutput, error) {
	return paced(ctx, p, opImport, p.k.ImportKeyMaterial, in, o)
}

func (p pacedKMS) RotateKeyOnDemand(ctx context.Context, in *kms.RotateKeyOnDemandInput, o ...kmsOpt) (*kms.RotateKeyOnDemandOutput, error) {
	return paced(ctx, p, opRotate, p.k.RotateKeyOnDemand, in, o)
}

func (p pacedKMS) GetKeyRotationStatus(ctx context.Context, in *kms.GetKeyRotationStatusInput, o ...kmsOpt) (*kms.GetKeyRotationStatusOutput, error) {
	return paced(ctx, p, "GetKeyRotationStatus", p.k.GetKeyRotationStatus, in, o)
}

func (p pacedKMS) Encrypt(ctx context.Context, in *kms.EncryptInput, o ...kmsOpt) (*kms.EncryptOutput, error) {
	return p.k.Encrypt(ctx, in, o...)
}

func (p pacedKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, o ...kmsOpt) (*kms.DecryptOutput, error) {
	return p.k.Decrypt(ctx, in, o...)
}

func (p pacedKMS) TagResource(ctx context.Context, in *kms.TagResourceInput, o ...kmsOpt) (*kms.TagResourceOutput, error) {
	return paced(ctx, p, "TagResource", p.k.TagResource, in, o)
}

func (p pacedKMS) ListResourceTags(ctx context.Context, in *kms.ListResourceTagsInput, o ...kmsOpt) (*kms.ListResourceTagsOutput, error) {
	return paced(ctx, p, "ListResourceTags", p.k.ListResourceTags, in, o)
}

func (p pacedKMS) CreateKey(ctx context.Context, in *kms.CreateKeyInput, o ...kmsOpt) (*kms.CreateKeyOutput, error) {
	return paced(ctx, p, opCreateKey, p.k.CreateKey, in, o)
}

func (p pacedKMS) GetKeyPolicy(ctx context.Context, in *kms.GetKeyPolicyInput, o ...kmsOpt) (*kms.GetKeyPolicyOutput, error) {
	return paced(ctx, p, "GetKeyPolicy", p.k.GetKeyPolicy, in, o)
}

func (p pacedKMS) UpdateAlias(ctx context.Context, in *kms.UpdateAliasInput, o ...kmsOpt) (*kms.UpdateAliasOutput, error) {
	return paced(ctx, p, opUpdateAlias, p.k.UpdateAlias, in, o)
}

func (p pacedKMS) ListAliases(ctx context.Context, in *kms.ListAliasesInput, o ...kmsOpt) (*kms.ListAliasesOutput, error) {
	return paced(ctx, p, "ListAliases", p.k.ListAliases, in, o)
}

func (p pacedKMS) ListKeys(ctx context.Context, in *kms.ListKeysInput, o ...kmsOpt) (*kms.ListKeysOutput, error) {
	return paced(ctx, p, "ListKeys", p.k.ListKeys, in, o)
}

func (p pacedKMS) UntagResource(ctx context.Context, in *kms.UntagResourceInput, o ...kmsOpt) (*kms.UntagResourceOutput, error) {
	return paced(ctx, p, "UntagResource", p.k.UntagResource, in, o)
}

// pacedTrail paces CloudTrail LookupEvents (2 per second per account and
// Region).
type pacedTrail struct {
	t       Trail
	l       *pace.Pacer
	account string
	region  string
}

func (p pacedTrail) LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, o ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	if p.l == nil {
		return p.t.LookupEvents(ctx, in, o...)
	}
	o = append(o[:len(o):len(o)], pace.CloudTrailOption)
	return pace.Call(ctx, p.l, pace.Key{Account: p.account, Region: p.region, Service: pace.ServiceCloudTrail, Op: opLookupEvents},
		func(ctx context.Context) (*cloudtrail.LookupEventsOutput, error) {
			return p.t.LookupEvents(ctx, in, o...)
		})
}

// kmsFor is the paced KMS client of account in region.
func (e *Engine) kmsFor(account, region string) KMS {
	return pacedKMS{k: e.Clients.KMS(account, region), l: e.Limits, account: account, region: region}
}

// securityKMS is the paced KMS client of the Security account in region.
func (e *Engine) securityKMS(region string) KMS { return e.kmsFor(e.Estate.SecurityAccount, region) }

func (e *Engine) trailFor(account, region string) Trail {
	return pacedTrail{t: e.Clients.Trail(account, region), l: e.Limits, account: account, region: region}
}

func (p pacedKMS) ListGrants(ctx context.Context, in *kms.ListGrantsInput, o ...kmsOpt) (*kms.ListGrantsOutput, error) {
	return paced(ctx, p, "ListGrants", p.k.ListGrants, in, o)
}

func (p pacedKMS) CreateGrant(ctx context.Context, in *kms.CreateGrantInput, o ...kmsOpt) (*kms.CreateGrantOutput, error) {
	return paced(ctx, p, "CreateGrant", p.k.CreateGrant, in, o)
}

// pacedLogs paces a CloudWatch Logs client's FilterLogEvents (5 per
// second per account and Region, shared by every reader of the account):
// a run's watchers read their log group back to back while keys wait.
type pacedLogs struct {
	watch.LogsReader
	l       *pace.Pacer
	account string
	region  string
}

func (p pacedLogs) FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, o ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error) {
	if p.l == nil {
		return p.LogsReader.FilterLogEvents(ctx, in, o...)
	}
	return pace.Call(ctx, p.l, pace.Key{Account: p.account, Region: p.region, Service: pace.ServiceLogs, Op: "FilterLogEvents"},
		func(ctx context.Context) (*cloudwatchlogs.FilterLogEventsOutput, error) {
			return p.LogsReader.FilterLogEvents(ctx, in, o...)
		})
}

func (e *Engine) pacedLogs(l watch.LogsReader, account, region string) watch.LogsReader {
	return pacedLogs{LogsReader: l, l: e.Limits, account: account, region: region}
}
