package rotation

import (
	"context"
	"errors"
	"sync"
)

// defaultConcurrency is how many keys of one Region rotate at once when
// Engine.Concurrency is not set.
const defaultConcurrency = 8

// regionSlots hands out the rotation slots of each Region: a key waits for
// a slot of its own Region only. AWS's quotas are per Region, so a key
// waiting for its Region's GetParametersForImport budget must not hold a
// slot another Region could use; a rotation over four Regions thus runs
// the four at their own quotas at the same time.
type regionSlots struct {
	n    int
	mu   sync.Mutex
	sems map[string]chan struct{}
}

func newRegionSlots(n int) *regionSlots {
	if n <= 0 {
		n = defaultConcurrency
	}
	return &regionSlots{n: n, sems: map[string]chan struct{}{}}
}

func (s *regionSlots) of(region string) chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	sem := s.sems[region]
	if sem == nil {
		sem = make(chan struct{}, s.n)
		s.sems[region] = sem
	}
	return sem
}

// runKeys runs the jobs as they arrive, Concurrency at a time in each
// Region, and joins their errors. A key gives its slot up when it reaches
// the watch step, which only waits (for CloudTrail and its quota): the
// next key's rotation need not wait for it. Every job is journaled per key as
// before; only the order in which keys of different Regions start changes.
func (e *Engine) runKeys(ctx context.Context, jobs <-chan *keyJob, trails *trailWatchers) error {
	slots := newRegionSlots(e.Concurrency)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for j := range jobs {
		sem := slots.of(j.key.Region)
		j.trails = trails
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			j.releaseSlot = sync.OnceFunc(func() { <-sem })
			defer j.releaseSlot()
			if err := j.execute(ctx); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
