package rotation

import (
	"testing"
	"time"
)

func TestRotationPoll(t *testing.T) {
	ms := time.Millisecond
	cases := map[string]struct {
		elapsed, last, poll, want time.Duration
	}{
		"first poll":                       {0, 0, 2 * time.Second, firstPoll},
		"first poll capped by Engine.Poll": {0, 0, 100 * ms, 100 * ms},
		"young rotation: steady":           {time.Second, firstPoll, 2 * time.Second, steadyPoll},
		"young, still steady at 9.9 s":     {9900 * ms, steadyPoll, 2 * time.Second, steadyPoll},
		"young, capped by Engine.Poll":     {time.Second, firstPoll, 200 * ms, 200 * ms},
		"old rotation doubles":             {11 * time.Second, steadyPoll, 2 * time.Second, 2 * steadyPoll},
		"old rotation doubles to the cap":  {20 * time.Second, 1500 * ms, 2 * time.Second, 2 * time.Second},
		"old rotation after a short last":  {12 * time.Second, 100 * ms, 2 * time.Second, steadyPoll},
	}
	for name, c := range cases {
		if got := rotationPoll(c.elapsed, c.last, c.poll); got != c.want {
			t.Errorf("%s: rotationPoll(%v, %v, %v) = %v, want %v", name, c.elapsed, c.last, c.poll, got, c.want)
		}
	}
}
