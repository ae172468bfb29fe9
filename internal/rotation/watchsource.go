package rotation

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
	"github.com/byok-dev/byok/internal/watch"
)

// WatchClients gives the clients the eventbridge watch source reads (the
// log group of failed KMS calls and its EventBridge rule); the engine's
// Clients must implement it when the estate's watch source is eventbridge.
type WatchClients interface {
	Logs(account, region string) watch.LogsReader
	Rules(account, region string) watch.Rules
}

// ErrNoWatchClients means the estate reads failed calls from a log group
// but the engine was built without the clients to read it.
var ErrNoWatchClients = errors.New("the estate's watch source is eventbridge but the engine has no CloudWatch Logs/EventBridge clients")

// WatchConf is the estate's watch: section, defaults applied (an Estate
// built in code has a zero Watch: LookupEvents with the default skew).
func (e *Engine) WatchConf() estate.Watch {
	w := e.Estate.Watch
	d := estate.DefaultWatch()
	if w.Source == "" {
		w.Source = d.Source
	}
	if w.DeliveryDelay <= 0 {
		w.DeliveryDelay = d.DeliveryDelay
	}
	if w.LogGroup == "" {
		w.LogGroup = d.LogGroup
	}
	if w.Rule == "" {
		w.Rule = d.Rule
	}
	return w
}

func (e *Engine) watchClients() (WatchClients, error) {
	wc, ok := e.Clients.(WatchClients)
	if !ok {
		return nil, ErrNoWatchClients
	}
	return wc, nil
}

// WatchSource is where account's failed calls in region are read.
func (e *Engine) WatchSource(account, region string) (watch.Source, error) {
	conf := e.WatchConf()
	if conf.Source != estate.WatchEventBridge {
		return watch.TrailSource(e.trailFor(account, region)), nil
	}
	wc, err := e.watchClients()
	if err != nil {
		return nil, err
	}
	return watch.LogSource(e.pacedLogs(wc.Logs(account, region), account, region), conf.LogGroup), nil
}

// hasWatchStep reports whether s ends with the watch step.
func hasWatchStep(s Strategy) bool { return s == InPlace || s == NewKey }

// CheckWatchSource is the pre-flight check of the eventbridge source in
// every account and Region the watch steps of items will read (the
// Security account and each key's consumer account, in the key's Region):
// nil with nothing to check for the cloudtrail source, the checks made,
// or the first refusal (a *watch.SourceError naming what deploy/ creates).
func (e *Engine) CheckWatchSource(ctx context.Context, items []Item) ([]watch.SourceCheck, error) {
	conf := e.WatchConf()
	if conf.Source != estate.WatchEventBridge {
		return nil, nil
	}
	targets := map[[2]string]bool{}
	for _, it := range items {
		if !hasWatchStep(it.Strategy) {
			continue
		}
		targets[[2]string{e.Estate.SecurityAccount, it.Key.Region}] = true
		if it.Key.Consumer != "" {
			targets[[2]string{it.Key.Consumer, it.Key.Region}] = true
		}
	}
	return e.checkWatchTargets(ctx, conf, targets)
}

// CheckWatchAt is CheckWatchSource for explicit account and Region pairs
// (byok watch).
func (e *Engine) CheckWatchAt(ctx context.Context, pairs [][2]string) ([]watch.SourceCheck, error) {
	conf := e.WatchConf()
	if conf.Source != estate.WatchEventBridge {
		return nil, nil
	}
	targets := map[[2]string]bool{}
	for _, p := range pairs {
		targets[p] = true
	}
	return e.checkWatchTargets(ctx, conf, targets)
}

// preflightParallel is how many accounts and Regions are checked at once:
// each check is four calls in its own account (no shared quota), and a
// run over fifty consumer accounts should not wait for them one by one.
const preflightParallel = 64

func (e *Engine) checkWatchTargets(ctx context.Context, conf estate.Watch, targets map[[2]string]bool) ([]watch.SourceCheck, error) {
	if len(targets) == 0 {
		return nil, nil
	}
	wc, err := e.watchClients()
	if err != nil {
		return nil, err
	}
	keys := make([][2]string, 0, len(targets))
	for k := range targets {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	checks, errs := make([]watch.SourceCheck, len(keys)), make([]error, len(keys))
	sem := make(chan struct{}, preflightParallel)
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			checks[i], errs[i] = watch.CheckLogSource(ctx, e.pacedLogs(wc.Logs(k[0], k[1]), k[0], k[1]), wc.Rules(k[0], k[1]),
				k[0], k[1], conf.LogGroup, conf.Rule)
		}()
	}
	wg.Wait()
	var out []watch.SourceCheck
	for i, c := range checks {
		if errs[i] != nil { // the first refusal in account order, the checks before it
			return out, fmt.Errorf("pre-flight check of the watch source: %w", errs[i])
		}
		if c.RuleNote != "" {
			e.logger().WarnContext(ctx, "watch source partly checked", logAcct, c.Account, "region", c.Region, "note", c.RuleNote)
		}
		out = append(out, c)
	}
	return out, nil
}

// resumeItems are the keys a resumed run may still watch: its admitted
// keys not done yet and its pending ones.
func resumeItems(jobs []*keyJob, pending []pendingKey) []Item {
	var out []Item
	for _, j := range jobs {
		if j.rk.Step != store.StepDone {
			out = append(out, Item{Key: j.key, Strategy: j.strategy()})
		}
	}
	for _, pk := range pending {
		s, err := ParseStrategy(pk.rq.Strategy)
		if err == nil {
			out = append(out, Item{Key: pk.key, Strategy: s})
		}
	}
	return out
}
