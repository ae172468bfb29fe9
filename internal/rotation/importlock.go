package rotation

import (
	"context"
	"fmt"

	"github.com/byok-dev/byok/internal/estate"
)

// SharedLockReader is implemented by a SharedState that can say who holds
// a key's shared lock: held is nil when the key is free, else an error
// naming the holder; err is a failed read.
type SharedLockReader interface {
	KeyHolder(ctx context.Context, keyARN string) (held error, err error)
}

// importLocked refuses an import into a key that an unfinished run holds,
// in this state file or in the shared state: that run is the key's to
// finish (its material may be imported already), and the refusal names
// it and how to continue it, never "nothing to import".
func (e *Engine) importLocked(ctx context.Context, k estate.Key, arn string) error {
	if e.Store != nil {
		locks, err := e.Store.ListKeyLocks(ctx)
		if err != nil {
			return fmt.Errorf("read key locks: %w", err)
		}
		for _, l := range locks {
			if l.KeyARN == arn {
				return lockRefusal(Plan{Key: k, Status: KeyStatus{ARN: arn}}, l)
			}
		}
	}
	r, ok := e.Shared.(SharedLockReader)
	if !ok {
		return nil
	}
	held, err := r.KeyHolder(ctx, arn)
	if err != nil || held == nil {
		return err
	}
	return &Refusal{KeyARN: arn, Err: fmt.Errorf("%s: %w", k.Alias, held),
		Hint: "another byok run holds this key (byok lock status shows it): let it finish, or resume it from the state file that holds it"}
}
