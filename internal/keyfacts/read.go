package keyfacts

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/compliance"
)

// supersededTag is set by byok's new-key rotation on the key it retired.
const supersededTag = "byok:superseded-alias"

func (r *Reader) slot(m map[string]*once, k string) *once {
	r.mu.Lock()
	defer r.mu.Unlock()
	o := m[k]
	if o == nil {
		o = &once{}
		m[k] = o
	}
	return o
}

// aliasesOf lists the aliases of account/region once per scan.
func (r *Reader) aliasesOf(ctx context.Context, account, region string) error {
	o := r.slot(r.aliases, account+"/"+region)
	o.Do(func() { o.err = r.listAliases(ctx, account, region) })
	return o.err
}

func (r *Reader) listAliases(ctx context.Context, account, region string) error {
	p := kms.NewListAliasesPaginator(r.client(account, region), &kms.ListAliasesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list aliases in %s/%s: %w", account, region, err)
		}
		for _, a := range out.Aliases {
			if a.TargetKeyId == nil {
				continue
			}
			arn := compliance.KeyARN(compliance.PartitionOf(region), region, account, aws.ToString(a.TargetKeyId))
			_ = r.index.AddAlias(account, region, aws.ToString(a.AliasName), arn)
		}
	}
	return nil
}

func (r *Reader) readKeys(ctx context.Context, arns []string) {
	n := r.Concurrency
	if n <= 0 {
		n = 16
	}
	// Each Region has its own quotas, so each has its own n readers: keys
	// of one Region waiting for its ListKeyRotations budget never hold up
	// another Region's.
	sems := map[string]chan struct{}{}
	var wg sync.WaitGroup
	for _, arn := range arns {
		region := arnRegion(arn)
		if sems[region] == nil {
			sems[region] = make(chan struct{}, n)
		}
		sem := sems[region]
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r.Key(ctx, arn)
		}()
	}
	wg.Wait()
}

// arnRegion is the Region field of an ARN ("" when arn is not one).
func arnRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

// Key reads one key's facts once per reader and records them in the
// index; later calls return the cached result.
func (r *Reader) Key(ctx context.Context, arn string) compliance.KeyFacts {
	o := r.slot(r.keys, arn)
	o.Do(func() {
		f := r.read(ctx, arn)
		if err := r.index.Add(f); err != nil {
			o.err = err
		}
	})
	f, _ := r.index.Key(arn)
	return f
}

func (r *Reader) read(ctx context.Context, arn string) compliance.KeyFacts {
	ref, err := compliance.ParseKeyRef(arn, "", "")
	if err != nil {
		return compliance.KeyFacts{ARN: arn, Err: err}
	}
	f := compliance.KeyFacts{ARN: arn, Account: ref.Account, Region: ref.Region, KeyID: ref.KeyID}
	k := r.client(ref.Account, ref.Region)
	d, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(arn)})
	if err != nil {
		f.Err = fmt.Errorf("describe key: %w", err)
		return f
	}
	fillMetadata(&f, d.KeyMetadata)
	if f.Manager != string(types.KeyManagerTypeCustomer) || ref.Account != r.Estate.SecurityAccount {
		return f
	}
	if materialJudged(f.State) {
		if err := readRotations(ctx, k, &f); err != nil {
			f.Err = err
			return f
		}
	}
	if !r.isTarget(arn) {
		f.FormerAliases, f.Err = formerAliases(ctx, k, arn)
	}
	return f
}

// materialJudged reports whether the evaluator looks at the materials of
// a key in this state: usable keys are judged on material age and expiry,
// and a PendingImport key's finding names the materials to re-import (their
// ImportState); a disabled or pending-deletion key is non-compliant
// whatever its materials, so it saves a ListKeyRotations call, the
// operation with KMS's lowest read quota.
func materialJudged(state string) bool {
	return state == string(types.KeyStateEnabled) || state == string(types.KeyStateUpdating) ||
		state == string(types.KeyStatePendingImport)
}

func (r *Reader) isTarget(arn string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.targets[arn]
}

func fillMetadata(f *compliance.KeyFacts, md *types.KeyMetadata) {
	f.Manager = string(md.KeyManager)
	f.State = string(md.KeyState)
	f.Origin = string(md.Origin)
	f.CurrentID = aws.ToString(md.CurrentKeyMaterialId)
	f.CurrentSince = aws.ToTime(md.CreationDate)
	if md.ValidTo != nil && len(f.Materials) == 0 {
		f.Materials = []compliance.Material{{ID: f.CurrentID, State: "CURRENT", ValidTo: md.ValidTo}}
	}
}

// readRotations lists every material. The CURRENT material's age runs from
// its rotation date; a first material has none, and KMS records no import
// date, so its age runs from the key's creation (never understated).
func readRotations(ctx context.Context, k KMS, f *compliance.KeyFacts) error {
	entries, err := ListMaterials(ctx, k, f.ARN)
	if err != nil {
		return err
	}
	f.Materials = nil
	for _, e := range entries {
		m := compliance.Material{ID: aws.ToString(e.KeyMaterialId), State: string(e.KeyMaterialState), ValidTo: e.ValidTo,
			ImportState: string(e.ImportState)}
		if e.RotationDate != nil {
			m.Since = *e.RotationDate
		}
		if e.KeyMaterialState == types.KeyMaterialStateCurrent && e.RotationDate != nil {
			f.CurrentSince = *e.RotationDate
		}
		f.Materials = append(f.Materials, m)
	}
	return nil
}

func formerAliases(ctx context.Context, k KMS, arn string) ([]string, error) {
	out, err := k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("list resource tags: %w", err)
	}
	var aliases []string
	for _, t := range out.Tags {
		if aws.ToString(t.TagKey) == supersededTag && strings.HasPrefix(aws.ToString(t.TagValue), "alias/") {
			aliases = append(aliases, aws.ToString(t.TagValue))
		}
	}
	return aliases, nil
}
