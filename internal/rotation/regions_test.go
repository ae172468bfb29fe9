package rotation

import "testing"

// TestRegionSlots: each Region has its own n slots; a full Region does not
// take the slots of another.
func TestRegionSlots(t *testing.T) {
	s := newRegionSlots(2)
	a, b := s.of("eu-west-1"), s.of("us-east-1")
	if a == b || s.of("eu-west-1") != a || cap(a) != 2 || cap(b) != 2 {
		t.Fatalf("slots: a %p (cap %d) b %p (cap %d)", a, cap(a), b, cap(b))
	}
	a <- struct{}{}
	a <- struct{}{}
	select {
	case b <- struct{}{}:
	default:
		t.Fatal("us-east-1 blocked by a full eu-west-1")
	}
	if cap(newRegionSlots(0).of("x")) != defaultConcurrency {
		t.Fatal("zero concurrency is not the default")
	}
}
