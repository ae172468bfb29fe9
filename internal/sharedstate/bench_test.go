package sharedstate_test

import (
	"testing"
	"time"
)

// BenchmarkLockCycle: one key's lock taken (If-None-Match), heartbeat
// once (If-Match) and released (DeleteObject If-Match) through the real
// SDK against the sandbox's S3 over HTTP on loopback.
func BenchmarkLockCycle(b *testing.B) {
	c := newClock()
	st := c.store(newS3(b))
	for b.Loop() {
		l, err := st.Acquire(bg, lockOf("r-a", "h", 1), time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		if l, err = st.Heartbeat(bg, l); err != nil {
			b.Fatal(err)
		}
		if err := st.Release(bg, l); err != nil {
			b.Fatal(err)
		}
	}
}
