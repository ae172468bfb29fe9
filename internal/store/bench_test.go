package store

import (
	"context"
	"testing"
)

// BenchmarkJournalStepPair measures one durable BeginStep + EndStep pair
// (two fsynced transactions); pairs/s is reported.
func BenchmarkJournalStepPair(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	run := seedRunKey(b, s)
	detail := map[string]string{"material_id": "m-0123456789abcdef", "state": "PENDING_ROTATION"}
	b.ResetTimer()
	for b.Loop() {
		if err := s.BeginStep(ctx, run, keyA, StepImport, detail); err != nil {
			b.Fatal(err)
		}
		if err := s.EndStep(ctx, run, keyA, StepImport, detail); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}
