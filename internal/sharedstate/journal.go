package sharedstate

import (
	"context"
	"fmt"
	"time"
)

// RunRecord is a run's journal object (runs/RUN.json): what other
// operators see of a run that is not in their local state file. The
// holder's local SQLite file stays the working journal; this object is
// rewritten after each step boundary.
type RunRecord struct {
	Run     string      `json:"run"`
	Status  string      `json:"status"`
	Holder  string      `json:"holder"`
	Host    string      `json:"host"`
	PID     int         `json:"pid"`
	Updated time.Time   `json:"updated"`
	Keys    []RunKeyRec `json:"keys"`
}

// RunKeyRec is one key of a run: the last step boundary it crossed.
type RunKeyRec struct {
	Key   string `json:"key"`
	Step  string `json:"step"`
	Phase string `json:"phase"`
	Error string `json:"error,omitempty"`
}

// PutRun writes the run's journal object (last writer wins: one process
// holds a run at a time).
func (s *Store) PutRun(ctx context.Context, r RunRecord) error {
	r.Updated = s.now()
	if _, err := s.putJSON(ctx, s.Location.key("runs", r.Run+".json"), r, cond{}); err != nil {
		return fmt.Errorf("write run journal %s: %w", r.Run, err)
	}
	return nil
}

// GetRun reads a run's journal object; ErrNotFound when absent.
func (s *Store) GetRun(ctx context.Context, run string) (RunRecord, error) {
	var r RunRecord
	_, err := s.getJSON(ctx, s.Location.key("runs", run+".json"), &r)
	return r, err
}
