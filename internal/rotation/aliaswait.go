package rotation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// ErrAliasPropagation means the alias did not resolve to the new key of a
// new-key run within Engine.AliasTimeout.
var ErrAliasPropagation = errors.New("the alias does not resolve to the new key")

// defaultAliasTimeout bounds the wait for an UpdateAlias to be visible.
// KMS is eventually consistent; its guide says changes usually take
// seconds and can take minutes.
const defaultAliasTimeout = 5 * time.Minute

// waitAliasOnNewKey waits, in a new-key run, until the estate alias
// resolves to the new key, so that verification judges the new key and
// not a stale read. It polls DescribeKey on the alias ARN with doubling
// waits up to Engine.Poll, until Engine.AliasTimeout.
func (j *keyJob) waitAliasOnNewKey(ctx context.Context) error {
	if j.strategy() != NewKey {
		return nil
	}
	limit := j.e.AliasTimeout
	if limit <= 0 {
		limit = defaultAliasTimeout
	}
	poll := j.e.Poll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	deadline, wait, target := time.Now().Add(limit), min(firstPoll, poll), ""
	for logged := false; ; logged = true {
		d, err := j.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(j.key.AliasARN())})
		if err != nil {
			return fmt.Errorf("describe alias %s: %w", j.key.AliasARN(), err)
		}
		if target = aws.ToString(d.KeyMetadata.Arn); keyIDOf(target) == keyIDOf(j.rk.NewKeyID) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: %s still resolves to %s, not %s, after %s", ErrAliasPropagation, j.key.Alias, target, j.rk.NewKeyID, limit)
		}
		if !logged {
			j.e.logger().InfoContext(ctx, "waiting for the alias to resolve to the new key (KMS is eventually consistent)",
				logRun, j.run.ID.String(), "alias", j.key.Alias, "target", target, "new_key", j.rk.NewKeyID, "deadline", deadline.UTC().Format(time.RFC3339))
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return err
		}
		wait = min(2*wait, poll)
	}
}
