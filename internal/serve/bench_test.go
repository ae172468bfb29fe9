package serve

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/serve/schedule"
	"github.com/byok-dev/byok/internal/serve/view"
)

// shiftedClock is real time moved by a fixed offset, so a window opening
// is one second away without waiting for the wall clock.
type shiftedClock struct{ off time.Duration }

func (c shiftedClock) Now() time.Time { return time.Now().Add(c.off) }

// timerDeps measure when the scheduler calls RotateDue; they do no AWS
// work (this measures the scheduler's timer, not rotation).
type timerDeps struct {
	clock Clock
	fired chan time.Time
}

func (d timerDeps) Plan(context.Context, time.Time) ([]view.Key, error) { return nil, nil }
func (d timerDeps) Scan(context.Context, time.Time) (ScanResult, error) { return ScanResult{}, nil }
func (d timerDeps) RotateDue(context.Context, time.Time) (RotateResult, error) {
	d.fired <- d.clock.Now()
	return RotateResult{}, nil
}
func (d timerDeps) RotateKey(context.Context, string, string, time.Time) (RotateResult, error) {
	return RotateResult{}, nil
}
func (d timerDeps) ResumeStopped(context.Context) ([]string, error) { return nil, nil }
func (d timerDeps) Runs(context.Context) ([]view.Run, error)        { return nil, nil }
func (d timerDeps) Scans(context.Context) ([]view.ScanPoint, error) { return nil, nil }
func (d timerDeps) Audit(context.Context) (view.Audit, error)       { return view.Audit{}, nil }
func (d timerDeps) HSM(context.Context) error                       { return nil }

// BenchmarkSchedulerLateness: how late the scheduler starts a rotation
// window's job after the window opens (issue 12: within 1 s). Each
// iteration waits about one second; run with -benchtime=10x.
func BenchmarkSchedulerLateness(b *testing.B) {
	w, err := schedule.ParseWindow("* * * * *", "UTC", 30*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	var late []time.Duration
	for range b.N {
		now := time.Now()
		next := now.Truncate(time.Minute).Add(time.Minute)
		clock := shiftedClock{off: next.Add(-time.Second).Sub(now)} // the window opens in 1 s
		d := timerDeps{clock: clock, fired: make(chan time.Time, 4)}
		svc, err := New(estate.Schedule{Windows: []schedule.Window{w}, KeyRotationTime: time.Second, ExpiryCheckInterval: time.Hour},
			Deps{Planner: d, Scanner: d, Rotator: d, Reader: d}, clock, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = svc.Run(ctx) }()
		select {
		case at := <-d.fired:
			late = append(late, at.Sub(next))
		case <-time.After(30 * time.Second):
			b.Fatal("the window's job never ran")
		}
		cancel()
		<-done
	}
	slices.Sort(late)
	b.ReportMetric(float64(late[len(late)-1].Microseconds())/1000, "max-late-ms")
}
