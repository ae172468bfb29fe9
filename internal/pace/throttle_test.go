package pace

import (
	"testing"
	"time"
)

// event is one thing that happens to a bucket in a throttle scenario: a
// throttle or a success at offset at from the start.
type event struct {
	at        time.Duration
	throttled bool
}

func throttles(offsets ...time.Duration) []event {
	out := make([]event, len(offsets))
	for i, at := range offsets {
		out[i] = event{at: at, throttled: true}
	}
	return out
}

func TestThrottleReactions(t *testing.T) {
	gpfi := Key{"111111111111", "eu-west-1", ServiceKMS, "GetParametersForImport"}
	describe := Key{"111111111111", "eu-west-1", ServiceKMS, "DescribeKey"}
	ms := time.Millisecond
	cases := map[string]struct {
		key     Key
		applied float64 // Service Quotas value for the key's quota (0: default)
		events  []event
		rate    float64
		margin  float64
	}{
		"isolated throttle re-aligns at the known quota": {gpfi, 0, throttles(0), 1, 1.02},
		"applied quota is known too":                     {gpfi, 5, throttles(0), 5, 1.02},
		"two throttles are still jitter":                 {gpfi, 0, throttles(0, 3*time.Second), 1, 1.04},
		"throttles far apart never halve": {gpfi, 0,
			apart(throttles(0, 11*time.Second, 22*time.Second, 33*time.Second)), 1, 1.08 - 3*marginDecay},
		"three in a row halve however slow": {gpfi, 0, throttles(0, 15*time.Second, 30*time.Second), 0.5, 1.04},
		"a success between breaks the row": {gpfi, 0,
			append(throttles(0, 5*time.Second), event{at: 6 * time.Second}, event{at: 16 * time.Second, throttled: true}), 1, 1.06 - marginDecay},
		"three within the window halve": {gpfi, 0, apart(throttles(0, 3*time.Second, 6*time.Second)), 0.5, 1.04 - 2*marginDecay},
		"a storm halves down to the floor": {describe, 0,
			throttles(0, 100*ms, 200*ms, 300*ms, 400*ms, 500*ms, 600*ms, 700*ms), 100.0 / 8, 1.04},
		"additive recovery after a storm": {describe, 0,
			append(throttles(0, 100*ms, 200*ms), event{at: 300 * ms}), 50 + 100.0/16, 1.04 - marginDecay},
		"successes shrink the margin back": {gpfi, 0,
			append(throttles(0), event{at: time.Second}, event{at: 2 * time.Second}), 1, 1.02 - 2*marginDecay},
		"the margin has a ceiling": {gpfi, 0, apart(throttles(0, 11*time.Second, 22*time.Second, 33*time.Second,
			44*time.Second, 55*time.Second, 66*time.Second, 77*time.Second, 88*time.Second, 99*time.Second,
			110*time.Second, 121*time.Second)), 1, maxMargin},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			start := time.Unix(1_700_000_000, 0)
			clk := &fakeClock{t: start}
			p := New(nil)
			p.now = clk.now
			if c.applied > 0 {
				q, _ := p.table.Lookup(c.key.Service, c.key.Op)
				p.setApplied(Source{Account: c.key.Account, Region: c.key.Region, Service: c.key.Service},
					map[string]float64{q.Name: c.applied})
			}
			for _, e := range c.events {
				clk.t = start.Add(e.at)
				if e.throttled {
					p.Throttled(c.key)
				} else {
					p.Succeeded(c.key)
				}
			}
			rate, _ := p.Rate(c.key)
			b := p.buckets[bucketKey{c.key.Account, c.key.Region, c.key.Service, c.key.Op}]
			if !near(rate, c.rate) || !near(b.margin, c.margin) {
				t.Fatalf("rate %v margin %v, want %v %v", rate, b.margin, c.rate, c.margin)
			}
			if n, m := p.ThrottlesOf(c.key); n != int64(len(throttled(c.events))) || m != b.margin {
				t.Fatalf("ThrottlesOf = %d, %v; want %d, %v", n, m, len(throttled(c.events)), b.margin)
			}
		})
	}
}

// apart puts a success one second after each throttle but the last: the
// throttles are isolated ones in a run that otherwise goes through.
func apart(es []event) []event {
	var out []event
	for i, e := range es {
		out = append(out, e)
		if i < len(es)-1 {
			out = append(out, event{at: e.at + time.Second})
		}
	}
	return out
}

func throttled(es []event) []event {
	var out []event
	for _, e := range es {
		if e.throttled {
			out = append(out, e)
		}
	}
	return out
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// TestRealignDoesNotBurst: after a throttle the bucket is empty: the next
// calls follow one interval apart instead of the bucket's capacity going
// out at once into a server bucket that has no token.
func TestRealignDoesNotBurst(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	p := New(nil)
	p.now = clk.now
	k := Key{"111111111111", "eu-west-1", ServiceKMS, "DescribeKey"}
	if d := p.reserve(k); d != 0 {
		t.Fatalf("first call waited %v", d)
	}
	p.Throttled(k)
	interval := time.Duration(float64(10*time.Millisecond) * 1.02)
	for i := 1; i <= 3; i++ {
		if d := p.reserve(k); d != time.Duration(i)*interval {
			t.Fatalf("call %d after the throttle waits %v, want %v", i, d, time.Duration(i)*interval)
		}
	}
}

// TestDepartSpacesByActualSend: a single-token bucket spaces a call from
// when the previous one really left; a larger bucket does not gate.
func TestDepartSpacesByActualSend(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	clk := &fakeClock{t: start}
	p := New(nil)
	p.now = clk.now
	gpfi := Key{"111111111111", "eu-west-1", ServiceKMS, "GetParametersForImport"}
	interval := 1015 * time.Millisecond
	steps := []struct {
		name     string
		at       time.Duration
		reserve  bool
		wantWait time.Duration
	}{
		{"first call leaves at once", 0, true, 0},
		{"first departs", 0, false, 0},
		{"second is due one interval later", 0, true, interval},
		{"second leaves 200 ms late", interval + 200*time.Millisecond, false, 0},
		{"third is due two intervals after the first", interval + 200*time.Millisecond, true, interval - 200*time.Millisecond},
		{"third, when due, waits for the late second", 2 * interval, false, 200 * time.Millisecond},
		{"and then leaves", 2*interval + 200*time.Millisecond, false, 0},
	}
	for _, s := range steps {
		clk.t = start.Add(s.at)
		var d time.Duration
		if s.reserve {
			d = p.reserve(gpfi)
		} else {
			d = p.depart(gpfi)
		}
		if d != s.wantWait {
			t.Fatalf("%s: wait %v, want %v", s.name, d, s.wantWait)
		}
	}
	describe := Key{"111111111111", "eu-west-1", ServiceKMS, "DescribeKey"}
	for range 3 {
		if d := p.depart(describe); d != 0 {
			t.Fatalf("DescribeKey (a 99-token bucket) gated on departure: %v", d)
		}
	}
}
