package s3objects

import (
	"time"
)

// progressDue returns a progress report when one is due. t.mu held.
func (t *tracker) progressDue() *Progress {
	if t.opts.Progress == nil {
		return nil
	}
	now := time.Now()
	if now.Sub(t.lastProg) < t.opts.ProgressEvery {
		return nil
	}
	t.lastProg = now
	p := t.progress()
	return &p
}

// progress counts what is done, below the mark and above it. t.mu held.
func (t *tracker) progress() Progress {
	done := t.counts.Done() + t.inFly.Done()
	p := Progress{Objects: done, Bytes: t.counts.Bytes + t.inFly.Bytes, Total: t.opts.TotalObjects}
	if el := time.Since(t.started).Seconds(); el > 0 {
		p.Rate = float64(done-t.startDone) / el
	}
	if p.Total > done && p.Rate > 0 {
		p.ETA = time.Duration(float64(p.Total-done) / p.Rate * float64(time.Second))
	}
	return p
}
