package audit

import (
	"context"
	"testing"
)

// BenchmarkAppend measures durable, chained appends (one fsynced
// transaction each, head record included).
func BenchmarkAppend(b *testing.B) {
	l, _ := openLog(b)
	ctx := context.Background()
	e := sampleEntry(1)
	for b.Loop() {
		if _, err := l.Append(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
}

// BenchmarkVerify1000 measures Verify over a 1000-entry log.
func BenchmarkVerify1000(b *testing.B) {
	l, _ := openLog(b)
	ctx := context.Background()
	for i := range 1000 {
		if _, err := l.Append(ctx, sampleEntry(i)); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if _, err := l.Verify(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
