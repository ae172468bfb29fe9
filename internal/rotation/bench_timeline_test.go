package rotation_test

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// stepTimeline records, from a run's progress events, when each step
// last ended and how long it took per key (begin to end), to show where
// a benchmark's time after the last GetParametersForImport goes.
type stepTimeline struct {
	mu    sync.Mutex
	t0    time.Time
	begun map[string]time.Time // key|step → begin
	last  map[store.Step]time.Duration
	first map[store.Step]time.Duration // first begin
	total map[store.Step]time.Duration
	n     map[store.Step]int
}

func newStepTimeline() *stepTimeline {
	return &stepTimeline{begun: map[string]time.Time{}, last: map[store.Step]time.Duration{}, first: map[store.Step]time.Duration{},
		total: map[store.Step]time.Duration{}, n: map[store.Step]int{}}
}

func (s *stepTimeline) start() { s.mu.Lock(); s.t0 = time.Now(); s.mu.Unlock() }

func (s *stepTimeline) progress(ev rotation.Progress) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	k := ev.KeyARN + "|" + ev.Step.String()
	switch ev.Phase {
	case store.PhaseBegin:
		s.begun[k] = now
		if _, ok := s.first[ev.Step]; !ok {
			s.first[ev.Step] = now.Sub(s.t0)
		}
	case store.PhaseEnd:
		if b, ok := s.begun[k]; ok {
			s.total[ev.Step] += now.Sub(b)
			s.n[ev.Step]++
		}
		if d := now.Sub(s.t0); d > s.last[ev.Step] {
			s.last[ev.Step] = d
		}
	}
}

// report logs, per step in order of last end, when the last key ended it
// and the mean time a key spent in it.
func (s *stepTimeline) report(b *testing.B) {
	s.mu.Lock()
	defer s.mu.Unlock()
	steps := make([]store.Step, 0, len(s.last))
	for st := range s.last {
		steps = append(steps, st)
	}
	sort.Slice(steps, func(i, j int) bool { return s.last[steps[i]] < s.last[steps[j]] })
	var sb strings.Builder
	for _, st := range steps {
		fmt.Fprintf(&sb, "\n  %-16s first begin %6.2f s, last end %6.2f s, mean %6.3f s per key", st, s.first[st].Seconds(), s.last[st].Seconds(),
			(s.total[st] / time.Duration(max(1, s.n[st]))).Seconds())
	}
	b.Logf("step timeline (from the run's start):%s", sb.String())
	if gp, ok := s.last[store.StepGetParameters]; ok {
		b.ReportMetric(gp.Seconds(), "last-gpfi-s")
	}
}
