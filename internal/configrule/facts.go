package configrule

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/keyfacts"
)

// SecurityAccountFacts is the production FactsSource: package keyfacts (the
// same reader as `byok scan`) with the function's own credentials, which
// are the Security account's. KMS does not allow ListKeyRotations or
// ListAliases cross-account, so keys and aliases of any other account are
// refused rather than read with the wrong credentials: the evaluator
// decides those from the ARN alone.
func SecurityAccountFacts(client func(region string) keyfacts.KMS) FactsSource {
	return func(ctx context.Context, e *estate.Estate, rs []compliance.Resource) (Evaluator, error) {
		r := keyfacts.NewReader(e, func(account, region string) keyfacts.KMS {
			if account != e.SecurityAccount {
				return otherAccount{account}
			}
			return client(region)
		})
		idx, err := r.Load(ctx, rs)
		if err != nil {
			return nil, err
		}
		return Bind(idx), nil
	}
}

// ErrOtherAccount: the rule reads key facts only in the Security account.
var ErrOtherAccount = fmt.Errorf("key facts are read only in the Security account")

// otherAccount answers every KMS call for a non-Security account.
type otherAccount struct{ account string }

func (o otherAccount) err(op string) error {
	return fmt.Errorf("kms %s in account %s: %w", op, o.account, ErrOtherAccount)
}

func (o otherAccount) DescribeKey(context.Context, *kms.DescribeKeyInput, ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	return nil, o.err("DescribeKey")
}

func (o otherAccount) ListKeyRotations(context.Context, *kms.ListKeyRotationsInput, ...func(*kms.Options)) (*kms.ListKeyRotationsOutput, error) {
	return nil, o.err("ListKeyRotations")
}

func (o otherAccount) ListAliases(context.Context, *kms.ListAliasesInput, ...func(*kms.Options)) (*kms.ListAliasesOutput, error) {
	return nil, o.err("ListAliases")
}

func (o otherAccount) ListResourceTags(context.Context, *kms.ListResourceTagsInput, ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error) {
	return nil, o.err("ListResourceTags")
}
