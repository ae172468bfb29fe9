package rotation

import (
	"context"
	"errors"
	"time"

	"github.com/byok-dev/byok/internal/store"
)

// runIDAttempts bounds how many fresh IDs createRun tries: two runs
// created in the same second share an ID with probability 1/65536.
const runIDAttempts = 8

// newRunID draws run IDs; a test replaces it to force a collision.
var newRunID = store.NewRunID

// createRun records run and its request under a fresh run ID (run.ID is
// overwritten), drawing a new ID when the one drawn is already taken.
// Nothing refers to the ID before it is recorded, so a redraw is safe.
func (e *Engine) createRun(ctx context.Context, run *store.Run, rq []store.RequestKey) error {
	var err error
	for range runIDAttempts {
		run.ID = newRunID(time.Now())
		err = e.Store.CreateRunWithRequest(ctx, *run, rq)
		if !errors.Is(err, store.ErrExists) {
			return err
		}
	}
	return err
}
