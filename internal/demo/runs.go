package demo

import (
	"context"
	"fmt"

	"github.com/byok-dev/byok/internal/store"
)

// runReport reads a run back from the journal: its keys, old → new
// material or key, and each step's span from the run's start.
func (s *story) runReport(ctx context.Context, id store.RunID) (RotationRun, error) {
	run, err := s.w.store.GetRun(ctx, id)
	if err != nil {
		return RotationRun{}, fmt.Errorf("read run %s: %w", id, err)
	}
	rks, err := s.w.store.ListRunKeys(ctx, id)
	if err != nil {
		return RotationRun{}, fmt.Errorf("read run %s: %w", id, err)
	}
	events, err := s.w.store.Journal(ctx, id)
	if err != nil {
		return RotationRun{}, fmt.Errorf("read journal of %s: %w", id, err)
	}
	out := RotationRun{ID: id.String(), Strategy: run.Strategy, Status: run.Status.String(), ChangeRef: run.ChangeRef,
		Operator: run.Operator, DurationMS: run.Updated.Sub(run.Created).Milliseconds()}
	for _, rk := range rks {
		out.Keys = append(out.Keys, RunKey{Alias: s.aliasOf(rk.KeyARN), KeyARN: rk.KeyARN,
			OldMaterialID: rk.OldMaterialID, NewMaterialID: rk.NewMaterialID, OldKeyID: rk.OldKeyID, NewKeyID: rk.NewKeyID,
			BlobSHA256: rk.BlobSHA256, Steps: spans(events, rk.KeyARN, run)})
	}
	return out, nil
}

// spans pairs each step's begin with its end (or failure). A begin of a
// step already open is a checkpoint within it (S3 re-encryption journals
// its progress so), not a new span.
func spans(events []store.Event, keyARN string, run store.Run) []StepSpan {
	var out []StepSpan
	open := map[store.Step]int{}
	for _, ev := range events {
		if ev.KeyARN != keyARN {
			continue
		}
		ms := ev.Time.Sub(run.Created).Milliseconds()
		switch ev.Phase {
		case store.PhaseBegin:
			if i, ok := open[ev.Step]; ok {
				out[i].EndMS = ms
				continue
			}
			open[ev.Step] = len(out)
			out = append(out, StepSpan{Step: ev.Step.String(), StartMS: ms, EndMS: ms})
		case store.PhaseEnd, store.PhaseFail:
			if i, ok := open[ev.Step]; ok {
				out[i].EndMS, out[i].OK = ms, ev.Phase == store.PhaseEnd
				delete(open, ev.Step)
			}
		}
	}
	return out
}

// aliasOf names a seeded key ARN by its alias.
func (s *story) aliasOf(keyARN string) string {
	for _, k := range s.w.seeded.Keys {
		if k.KeyARN == keyARN {
			return k.Alias
		}
	}
	return keyARN
}
