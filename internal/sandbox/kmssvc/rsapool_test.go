package kmssvc

import (
	"context"
	"testing"
)

func TestPrewarmHandsOutEachPairOnce(t *testing.T) {
	p := newRSAPool()
	defer p.close()
	if err := p.prewarm(context.Background(), 1024, 3); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for range 3 {
		k := p.takeSpare(1024)
		if k == nil {
			t.Fatal("prewarmed pair missing")
		}
		if n := k.N.String(); seen[n] {
			t.Fatal("a wrapping key pair was handed out twice")
		} else {
			seen[n] = true
		}
	}
	if p.takeSpare(1024) != nil {
		t.Fatal("more pairs than prewarmed")
	}
}
