package awslimits

import (
	"testing"
	"time"
)

func TestNextSSESwitch(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(h float64) time.Time { return created.Add(time.Duration(h * float64(time.Hour))) }
	tests := map[string]struct {
		switches []float64
		now      float64
		want     float64
	}{
		"no switch yet":                      {nil, 1, 1},
		"three switches, fourth allowed":     {[]float64{1, 1.5, 2}, 2.5, 2.5},
		"four in the window, last recent":    {[]float64{1, 1.5, 2, 3}, 4, 9},
		"four, six quiet hours passed":       {[]float64{1, 1.5, 2, 3}, 9, 9},
		"fifth done, sixth after quiet time": {[]float64{1, 1.5, 2, 3, 9}, 10, 15},
		"quiet time crosses the window end":  {[]float64{1, 1.5, 2, 20}, 21, 24},
		"new window resets the count":        {[]float64{20, 21, 22, 23}, 24.5, 24.5},
		"before creation":                    {nil, -1, 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var sw []time.Time
			for _, h := range tc.switches {
				sw = append(sw, at(h))
			}
			if got := NextSSESwitch(created, sw, at(tc.now)); !got.Equal(at(tc.want)) {
				t.Fatalf("NextSSESwitch = +%v, want +%vh", got.Sub(created), tc.want)
			}
		})
	}
}
