package s3objects

import (
	"context"
	"sync"
	"time"
)

// tracker turns completions in any order into a low-water mark: the last
// listed key such that it and every key before it is done. Only the
// objects between the mark and the listing head are held (at most
// InFlight plus the work queue), so memory does not grow with the bucket.
type tracker struct {
	ctx  context.Context
	opts Options

	mu      sync.Mutex
	next    int64   // seq of the next listed object
	base    int64   // seq of pending[0]
	pending []entry // listed, not yet below the mark
	mark    string  // low-water mark
	counts  Counts  // of every object up to the mark
	inFly   Counts  // of completions above the mark (for progress)
	unsaved int
	saveErr error

	saveMu sync.Mutex // serialises Save; saved marks only move forward
	saved  int64      // seq+1 of the last saved mark

	started   time.Time
	startDone int64
	lastProg  time.Time
}

type entry struct {
	key  string
	done bool
	out  outcome
}

func newTracker(ctx context.Context, opts Options, after string, start Counts) *tracker {
	return &tracker{ctx: ctx, opts: opts, mark: after, counts: start, started: time.Now(), startDone: start.Done()}
}

// add registers the next listed key and returns its sequence number.
func (t *tracker) add(key string) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = append(t.pending, entry{key: key})
	t.next++
	return t.next - 1
}

// done records an object's outcome, advances the mark over every done
// object at the head, and saves it every CheckpointEvery objects.
func (t *tracker) done(seq int64, out outcome) {
	t.mu.Lock()
	i := seq - t.base
	t.pending[i].done, t.pending[i].out = true, out
	t.inFly.add(out)
	n := 0
	for n < len(t.pending) && t.pending[n].done {
		t.counts.add(t.pending[n].out)
		t.mark = t.pending[n].key
		n++
	}
	if n > 0 {
		t.pending = append(t.pending[:0:0], t.pending[n:]...)
		t.base += int64(n)
		t.unsaved += n
		t.inFly = Counts{}
		for _, e := range t.pending {
			if e.done {
				t.inFly.add(e.out)
			}
		}
	}
	save := t.unsaved >= t.opts.CheckpointEvery
	if save {
		t.unsaved = 0
	}
	mark, counts, seqEnd := t.mark, t.snapshot(), t.base
	prog := t.progressDue()
	t.mu.Unlock()
	if save {
		t.save(mark, counts, seqEnd)
	}
	if prog != nil {
		t.opts.Progress(*prog)
	}
}

// snapshot copies the counts (the locked-key slice included). t.mu held.
func (t *tracker) snapshot() Counts {
	c := t.counts
	c.LockedKeys = append([]string(nil), c.LockedKeys...)
	return c
}

func (t *tracker) save(mark string, counts Counts, seqEnd int64) {
	if t.opts.Checkpoint == nil {
		return
	}
	t.saveMu.Lock()
	defer t.saveMu.Unlock()
	if seqEnd <= t.saved {
		return // a later mark was saved already
	}
	if err := t.opts.Checkpoint.Save(context.WithoutCancel(t.ctx), mark, counts); err != nil {
		t.mu.Lock()
		if t.saveErr == nil {
			t.saveErr = err
		}
		t.mu.Unlock()
		return
	}
	t.saved = seqEnd
}

// finish saves the final mark (all listed objects when the pass ended
// cleanly, else the mark reached) and returns the counts to report:
// everything up to the mark, never more than was done.
func (t *tracker) finish(clean bool) (Counts, error) {
	t.mu.Lock()
	mark, counts, seqEnd := t.mark, t.snapshot(), t.base
	prog := t.progress()
	t.mu.Unlock()
	if seqEnd > 0 || clean {
		t.save(mark, counts, seqEnd+1)
	}
	if t.opts.Progress != nil {
		t.opts.Progress(prog)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return counts, t.saveErr
}
