package rotation

import (
	"context"
	"sync"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/watch"
)

// trailWatchers are a run's CloudTrail watchers: one per account and
// Region, made when a key's watch step first asks about that account and
// Region and shared by every key of the run there, so the run's
// LookupEvents calls grow with its duration, not with its keys (the quota
// is 2 per second per account and Region). They live in memory only: a
// resumed run makes new ones, and the journal holds what the watch step
// recorded before (its begin, end or failure).
type trailWatchers struct {
	e    *Engine
	from time.Time
	ctx  context.Context

	mu     sync.Mutex
	cancel context.CancelFunc
	byKey  map[[2]string]*watch.Watcher
	wg     sync.WaitGroup
}

// newTrailWatchers are the watchers of a run created at created; stop
// ends them.
func (e *Engine) newTrailWatchers(ctx context.Context, created time.Time) *trailWatchers {
	ctx, cancel := context.WithCancel(ctx)
	return &trailWatchers{e: e, from: created.Add(-time.Second), ctx: ctx, cancel: cancel,
		byKey: map[[2]string]*watch.Watcher{}}
}

// of is the watcher of account in region, started on first use.
func (ws *trailWatchers) of(account, region string) (*watch.Watcher, error) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	k := [2]string{account, region}
	if w := ws.byKey[k]; w != nil {
		return w, nil
	}
	w, err := ws.e.newWatcher(account, region, ws.from)
	if err != nil {
		return nil, err
	}
	ws.byKey[k] = w
	ws.wg.Add(1)
	go func() {
		defer ws.wg.Done()
		w.Run(ws.ctx)
	}()
	return w, nil
}

// newWatcher is a watcher of account in region on the estate's source.
// The estate's delivery_delay is how late an event reaches the source:
// each window ends that far past its start (Skew) and reaches back at
// least that far (Overlap). The watch window is how late the operator
// expects CloudTrail to deliver: each read reaches back that far too, so
// an event delivered within it is still seen by the keys that wait after it.
func (e *Engine) newWatcher(account, region string, from time.Time) (*watch.Watcher, error) {
	conf := e.WatchConf()
	var w *watch.Watcher
	if conf.Source == estate.WatchEventBridge {
		wc, err := e.watchClients()
		if err != nil {
			return nil, err
		}
		w = watch.NewLogWatcher(e.pacedLogs(wc.Logs(account, region), account, region), conf.LogGroup, account, from)
	} else {
		w = watch.NewWatcher(e.trailFor(account, region), account, from)
	}
	w.Skew = conf.DeliveryDelay
	w.Overlap = max(watch.DefaultOverlap, e.WatchWindow)
	if conf.Source == estate.WatchEventBridge {
		// EventBridge delivers within seconds: the watch waits for it
		// (CloudTrail's minutes are the operator's watch window).
		w.Overlap, w.Delay = max(w.Overlap, conf.DeliveryDelay), conf.DeliveryDelay
	}
	return w, nil
}

// stop ends every watcher and waits for them; called once the run's key
// jobs have returned (no key waits any more).
func (ws *trailWatchers) stop() {
	ws.cancel()
	ws.wg.Wait()
}
