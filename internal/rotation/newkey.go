package rotation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Tags byok sets for a new-key rotation. TagSupersededAlias on the old key
// lets a scan tell "left on a superseded key" from "key outside the estate".
const (
	TagRun             = "byok:run"
	TagReplaces        = "byok:replaces"
	TagSupersededAlias = "byok:superseded-alias"
	TagSupersededBy    = "byok:superseded-by"
)

func keyIDOf(arnOrID string) string {
	if i := strings.LastIndex(arnOrID, "key/"); i >= 0 {
		return arnOrID[i+4:]
	}
	return arnOrID
}

// createKey creates the replacement key with the old key's policy,
// description and tags; a resumed run finds a key it created before a
// crash by its byok:run tag instead of creating a second one.
func (j *keyJob) createKey(ctx context.Context) error {
	if j.rk.NewKeyID != "" {
		return nil
	}
	if arn, err := j.findCreatedKey(ctx); err != nil || arn != "" {
		if arn != "" {
			j.rk.NewKeyID = arn
			return j.save(ctx)
		}
		return err
	}
	in, err := j.newKeyInput(ctx)
	if err != nil {
		return err
	}
	// CreateKey is not idempotent: the SDK must not retry it (a lost answer
	// would create a second key). After an error, the key may exist all the
	// same (its answer was lost): look for it by its tags before failing.
	out, err := j.kms.CreateKey(ctx, in, noRetry)
	if err != nil {
		arn, ferr := j.findCreatedKey(ctx)
		if ferr != nil || arn == "" {
			return errors.Join(fmt.Errorf("create key: %w", err), ferr)
		}
		j.e.logger().WarnContext(ctx, "CreateKey failed but the key exists (its answer was lost)", logRun, j.run.ID.String(), logKey, arn)
		j.rk.NewKeyID = arn
		return j.save(ctx)
	}
	j.rk.NewKeyID = aws.ToString(out.KeyMetadata.Arn)
	return j.save(ctx)
}

// noRetry makes the SDK send a call once: for calls that are not
// idempotent, whose lost answer byok resolves by reading KMS instead.
func noRetry(o *kms.Options) { o.RetryMaxAttempts = 1 }

func (j *keyJob) newKeyInput(ctx context.Context) (*kms.CreateKeyInput, error) {
	pol, err := j.kms.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(j.rk.KeyARN), PolicyName: aws.String("default")})
	if err != nil {
		return nil, fmt.Errorf("get key policy of the old key: %w", err)
	}
	d, err := j.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(j.rk.KeyARN)})
	if err != nil {
		return nil, fmt.Errorf("describe old key: %w", err)
	}
	tags, err := j.kms.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(j.rk.KeyARN)})
	if err != nil {
		return nil, fmt.Errorf("list tags of the old key: %w", err)
	}
	return &kms.CreateKeyInput{Origin: types.OriginTypeExternal, Policy: pol.Policy,
		Description: d.KeyMetadata.Description, MultiRegion: d.KeyMetadata.MultiRegion,
		Tags: newKeyTags(tags.Tags, j.run.ID.String(), j.rk.KeyARN)}, nil
}

func newKeyTags(old []types.Tag, run, oldARN string) []types.Tag {
	var out []types.Tag
	for _, t := range old {
		k := aws.ToString(t.TagKey)
		if strings.HasPrefix(k, "byok:") || k == TagLastRotationDate || k == TagLastKeyMaterialID {
			continue
		}
		out = append(out, t)
	}
	return append(out, types.Tag{TagKey: aws.String(TagRun), TagValue: aws.String(run)},
		types.Tag{TagKey: aws.String(TagReplaces), TagValue: aws.String(oldARN)})
}

func (j *keyJob) findCreatedKey(ctx context.Context) (string, error) {
	if last, _, err := j.e.Store.LastStep(ctx, j.run.ID, j.rk.KeyARN); err != nil || last < 1 {
		return "", err
	}
	p := kms.NewListKeysPaginator(j.kms, &kms.ListKeysInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list keys: %w", err)
		}
		for _, k := range out.Keys {
			mine, err := j.createdByRun(ctx, aws.ToString(k.KeyArn))
			if err != nil {
				return "", err
			}
			if mine {
				return aws.ToString(k.KeyArn), nil
			}
		}
	}
	return "", nil
}

// createdByRun reports whether arn carries this run's tags. A read error
// is returned, never taken for "no": missing the key created before a crash
// would create a second one.
func (j *keyJob) createdByRun(ctx context.Context, arn string) (bool, error) {
	tags, err := j.kms.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(arn)})
	if err != nil {
		return false, fmt.Errorf("look for the key this run created (list tags of %s): %w", arn, err)
	}
	run, replaces := false, false
	for _, t := range tags.Tags {
		run = run || aws.ToString(t.TagKey) == TagRun && aws.ToString(t.TagValue) == j.run.ID.String()
		replaces = replaces || aws.ToString(t.TagKey) == TagReplaces && aws.ToString(t.TagValue) == j.rk.KeyARN
	}
	return run && replaces, nil
}

// updateAlias copies the old key's grants to the new key, points the
// estate alias at the new key and marks the old key as superseded (it
// stays enabled for decryption).
func (j *keyJob) updateAlias(ctx context.Context) error {
	if err := j.copyGrants(ctx); err != nil {
		return err
	}
	_, err := j.kms.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(j.key.Alias), TargetKeyId: aws.String(j.rk.NewKeyID)})
	if err != nil {
		return fmt.Errorf("update alias %s: %w", j.key.Alias, err)
	}
	_, err = j.kms.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(j.rk.KeyARN), Tags: []types.Tag{
		{TagKey: aws.String(TagSupersededAlias), TagValue: aws.String(j.key.Alias)},
		{TagKey: aws.String(TagSupersededBy), TagValue: aws.String(j.rk.NewKeyID)},
	}})
	if err != nil {
		return fmt.Errorf("tag superseded key: %w", err)
	}
	return nil
}
