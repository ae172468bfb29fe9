package inventory

import (
	"context"
	"sync"

	"github.com/byok-dev/byok/internal/compliance"
)

// DefaultWindow is how many targets Each lists ahead of the one it hands
// out: enough that a slow listing (a target with thousands of tables) does
// not starve the DefaultConcurrency listings in flight, few enough that a
// 300-account scan holds a few tens of thousands of resources, not all.
const DefaultWindow = 2 * DefaultConcurrency

// Batch is everything listed for one target, services in the order rds,
// dynamodb, s3.
type Batch struct {
	Index     int // position of Target in the targets given to Each
	Target    Target
	Resources []compliance.Resource
	Errors    []TargetError
}

// services are listed per target in this order.
var services = [...]string{"rds", "dynamodb", "s3"}

// slot collects one target's listings as they finish.
type slot struct {
	mu   sync.Mutex
	left int
	rs   [len(services)][]compliance.Resource
	errs [len(services)]*TargetError
	done chan struct{}
}

// Each lists the targets concurrently, like Collect, and calls emit once
// per target, in the order of targets, from the calling goroutine. At most
// o.Window targets (DefaultWindow when zero) are listed or held ahead of
// the one emit has not returned from, so memory is bounded by the window,
// not by the estate. An error from emit stops the listing and is returned;
// so is ctx's error when it ends first.
func Each(ctx context.Context, c Clients, targets []Target, o Options, emit func(Batch) error) error {
	o = o.withDefaults()
	ctx, cancel := context.WithCancel(ctx)
	slots := make([]*slot, len(targets))
	for i := range slots {
		slots[i] = &slot{left: len(services), done: make(chan struct{})}
	}
	tokens := make(chan struct{}, o.Window)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }() // no listing outlives Each
	wg.Add(1)
	go func() {
		defer wg.Done()
		dispatch(ctx, c, targets, slots, tokens, o, &wg)
	}()
	for i, t := range targets {
		s := slots[i]
		select {
		case <-s.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		b := Batch{Index: i, Target: t}
		for k, rs := range s.rs {
			b.Resources = append(b.Resources, rs...)
			if s.errs[k] != nil {
				b.Errors = append(b.Errors, *s.errs[k])
			}
		}
		slots[i] = nil
		if err := emit(b); err != nil {
			return err
		}
		<-tokens
	}
	return nil
}

// dispatch starts each target's listings in order, once the window has
// room for it, at most o.Concurrency listings at once.
func dispatch(ctx context.Context, c Clients, targets []Target, slots []*slot, tokens chan struct{}, o Options, wg *sync.WaitGroup) {
	sem := make(chan struct{}, o.Concurrency)
	for i, t := range targets {
		s := slots[i]
		select {
		case tokens <- struct{}{}:
		case <-ctx.Done():
			return
		}
		for k, svc := range services {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				rs, err := list(ctx, c, t, svc, o.PerTarget)
				s.finish(k, t, svc, rs, err)
				if o.Progress != nil {
					o.Progress(t, svc, len(rs))
				}
			}()
		}
	}
}

func (s *slot) finish(k int, t Target, svc string, rs []compliance.Resource, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rs[k] = rs
	if err != nil {
		s.errs[k] = &TargetError{Target: t, Service: svc, Err: err, Message: err.Error()}
	}
	s.left--
	if s.left == 0 {
		close(s.done)
	}
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.PerTarget <= 0 {
		o.PerTarget = DefaultPerTarget
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	return o
}
