package rotation

import (
	"context"
	"fmt"

	"github.com/byok-dev/byok/internal/store"
)

// MarkLocked refuses, in plans, every key an unfinished run of this state
// file holds, naming the run and how to continue it. It is what `byok
// plan` shows: a key interrupted by Ctrl-C, a kill or a failure is the
// local run's to finish, not foreign or another operator's material. A
// state file that cannot be read leaves the plans as they are and says so.
func (e *Engine) MarkLocked(ctx context.Context, plans []Plan) error {
	if e.Store == nil {
		return nil
	}
	locks, err := e.Store.ListKeyLocks(ctx)
	if err != nil {
		return fmt.Errorf("read key locks: %w", err)
	}
	byKey := map[string]store.KeyLock{}
	for _, l := range locks {
		byKey[l.KeyARN] = l
	}
	for i := range plans {
		l, ok := byKey[plans[i].Status.ARN]
		if !ok || plans[i].Status.ARN == "" {
			continue
		}
		plans[i].Refused = lockRefusal(plans[i], l)
	}
	return nil
}

func lockRefusal(p Plan, l store.KeyLock) *Refusal {
	hint := fmt.Sprintf("run %s (%s) holds this key: continue it with byok resume %s, or end it with byok runs abandon %s --reason TEXT",
		l.Run, l.Status, l.Run, l.Run)
	if l.HasHolder {
		hint = fmt.Sprintf("run %s (%s) holds this key and process %d on %s works on it (byok lock status); plan again when it has finished",
			l.Run, l.Status, l.Holder.PID, l.Holder.Host)
	}
	return &Refusal{KeyARN: p.Status.ARN, Err: &store.LockedError{Key: p.Key.Alias, HeldBy: l.Run}, Hint: hint}
}
