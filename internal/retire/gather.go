package retire

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/report"
)

// KMS is what the evidence reads about the key in the Security account.
type KMS interface {
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, opts ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	ListAliases(ctx context.Context, in *kms.ListAliasesInput, opts ...func(*kms.Options)) (*kms.ListAliasesOutput, error)
}

// Sources are the read-only clients Gather reads the evidence through:
// the Security account's KMS, each account's CloudTrail, each account's
// S3 and each consumer account's RDS snapshots (the scan's verify roles)
// and a scan of the whole estate.
type Sources struct {
	Estate *estate.Estate
	KMS    func(region string) KMS
	Trail  func(account, region string) Trail
	S3     func(account, region string) Objects
	// RDS reads each consumer account's DB snapshots (the verify role).
	RDS func(account, region string) RDS
	// Scan is a scan of every estate account and Region (internal/scan).
	Scan func(ctx context.Context, now time.Time) (report.Report, error)
}

// ErrNotAKey: --key names no key KMS knows in the Security account.
var ErrNotAKey = errors.New("no such key in the Security account")

// Gather reads everything Decide judges about keyARN, for the quiet
// period ending at now. Failures to read one account's CloudTrail or one
// bucket's versions are evidence (they block); only a key that cannot be
// described or an estate whose aliases cannot be read is an error.
func (s Sources) Gather(ctx context.Context, keyARN string, quiet time.Duration, now time.Time) (Evidence, error) {
	region := regionOf(keyARN)
	ev := Evidence{KeyARN: keyARN, QuietFor: quiet, Now: now, Ignore: s.verifyPrincipals(), TrailErrors: map[string]error{}}
	d, err := s.KMS(region).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyARN)})
	if err != nil {
		return ev, fmt.Errorf("describe %s: %w", keyARN, err)
	}
	ev.KeyState = string(d.KeyMetadata.KeyState)
	if ev.Aliases, err = s.aliases(ctx, region, keyARN); err != nil {
		return ev, err
	}
	if ev.EstateOf, err = s.estateOf(ctx, region, keyARN); err != nil {
		return ev, err
	}
	if ev.Scan, err = s.Scan(ctx, now); err != nil {
		return ev, fmt.Errorf("scan the estate: %w", err)
	}
	ev.Versions = s.versions(ctx, ev.Scan, keyARN)
	ev.Snapshots, ev.SnapshotReads = s.snapshots(ctx, keyARN)
	for _, acct := range s.Estate.Accounts() {
		uses, err := ReadUsage(ctx, s.Trail(acct, region), acct, keyARN, now.Add(-quiet), now)
		if err != nil {
			ev.TrailErrors[acct] = err
			continue
		}
		ev.Usage = append(ev.Usage, uses...)
	}
	return ev, nil
}

// Check gathers the evidence and decides.
func (s Sources) Check(ctx context.Context, keyARN string, quiet time.Duration, now time.Time) (Decision, error) {
	ev, err := s.Gather(ctx, keyARN, quiet, now)
	if err != nil {
		return Decision{KeyARN: keyARN}, err
	}
	return Decide(ev), nil
}

func (s Sources) aliases(ctx context.Context, region, keyARN string) ([]string, error) {
	var out []string
	in := &kms.ListAliasesInput{KeyId: aws.String(keyARN)}
	p := kms.NewListAliasesPaginator(s.KMS(region), in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list aliases of %s: %w", keyARN, err)
		}
		for _, a := range page.Aliases {
			out = append(out, aws.ToString(a.AliasName))
		}
	}
	return out, nil
}

// estateOf lists the estate keys whose alias resolves to keyARN. An alias
// KMS does not have points nowhere; any other failure is an error (the
// key could be an estate key byok failed to see).
func (s Sources) estateOf(ctx context.Context, region, keyARN string) ([]string, error) {
	var out []string
	for _, k := range s.Estate.Keys() {
		if k.Region != region {
			continue
		}
		d, err := s.KMS(region).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(k.AliasARN())})
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("resolve estate alias %s: %w", k.Alias, err)
		}
		if aws.ToString(d.KeyMetadata.Arn) == keyARN {
			out = append(out, k.Alias+" ("+k.Env+"/"+string(k.Service)+")")
		}
	}
	return out, nil
}

// verifyPrincipals are byok's verify roles' sessions in every account
// (prefixes: the session name varies); their canary decryptions while
// rotating are not anybody's data.
func (s Sources) verifyPrincipals() []string {
	var out []string
	for _, acct := range s.Estate.Accounts() {
		role := s.Estate.VerifyRole(acct)
		if i := strings.Index(role, ":role/"); i > 0 && role != "" {
			out = append(out, "arn:aws:sts::"+acct+":assumed-role/"+role[i+len(":role/"):]+"/")
		}
	}
	return out
}

func (s Sources) versions(ctx context.Context, rep report.Report, keyARN string) []BucketVersions {
	var out []BucketVersions
	for _, r := range rep.Results {
		if r.Resource.Type != compliance.S3Bucket || r.Resource.Deleted {
			continue
		}
		bv := BucketVersions{Account: r.Resource.Account, Region: r.Resource.Region, Bucket: r.Resource.Name}
		if err := CountVersions(ctx, s.S3(bv.Account, bv.Region), keyARN, &bv); err != nil {
			bv.Err = err.Error()
		}
		if bv.Err != "" || bv.Current+bv.Noncurrent > 0 {
			out = append(out, bv)
		}
	}
	return out
}

func regionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[3]
}
