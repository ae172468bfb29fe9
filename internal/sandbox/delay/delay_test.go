package delay

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestSleepLastsAtLeastTheDelay(t *testing.T) {
	for name, sleep := range map[string]func(context.Context, time.Duration) bool{
		"Sleep": Sleep, "timer": sleepTimer,
	} {
		t.Run(name, func(t *testing.T) {
			for range 3 { // again: the pooled timerfd is reused
				start := time.Now()
				if !sleep(context.Background(), 5*time.Millisecond) {
					t.Fatal("sleep reported a cancellation that did not happen")
				}
				if d := time.Since(start); d < 5*time.Millisecond {
					t.Fatalf("slept %v, want at least 5ms", d)
				}
			}
		})
	}
}

// TestSleepCancelled: a cancelled wait returns false long before its
// delay (an hour), and the wait after it still lasts its delay.
func TestSleepCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan bool)
	go func() { done <- Sleep(ctx, time.Hour) }()
	cancel()
	select {
	case ok := <-done:
		if ok {
			t.Fatal("a cancelled sleep reported that its delay elapsed")
		}
	case <-time.After(time.Minute): // failure guard only
		t.Fatal("the sleep did not end on cancellation")
	}
	if Sleep(ctx, time.Millisecond) {
		t.Fatal("a sleep under a done context reported its delay elapsed")
	}
	start := time.Now()
	if !Sleep(context.Background(), 2*time.Millisecond) || time.Since(start) < 2*time.Millisecond {
		t.Fatal("the sleep after a cancellation did not wait its delay")
	}
}

func TestSleepZero(t *testing.T) {
	if !Sleep(context.Background(), 0) {
		t.Fatal("a zero delay under a live context must report elapsed")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if Sleep(ctx, 0) {
		t.Fatal("a zero delay under a done context must report cancelled")
	}
}

// BenchmarkOvershoot reports how late 16 concurrent 20 ms waits end
// (mean and p90 above 20 ms), with Sleep and with a plain time.Timer:
// go test -run '^$' -bench Overshoot -benchtime 400x ./internal/sandbox/delay/
func BenchmarkOvershoot(b *testing.B) {
	for name, sleep := range map[string]func(context.Context, time.Duration) bool{
		"Sleep": Sleep, "timer": sleepTimer,
	} {
		b.Run(name, func(b *testing.B) {
			const d, workers = 20 * time.Millisecond, 16
			var mu sync.Mutex
			var over []time.Duration
			var wg sync.WaitGroup
			per := max(1, b.N/workers)
			for range workers {
				wg.Go(func() {
					for range per {
						start := time.Now()
						sleep(context.Background(), d)
						o := time.Since(start) - d
						mu.Lock()
						over = append(over, o)
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			slices.Sort(over)
			var sum time.Duration
			for _, o := range over {
				sum += o
			}
			b.ReportMetric(float64(sum.Microseconds())/float64(len(over)), "µs-late-mean")
			b.ReportMetric(float64(over[len(over)*9/10].Microseconds()), "µs-late-p90")
		})
	}
}
