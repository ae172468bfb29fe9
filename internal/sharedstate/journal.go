package sharedstate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// RunRecord is a run's journal object (runs/RUN.json): what other
// operators see of a run that is not in their local state file. The
// holder's local SQLite file stays the working journal; this object is
// rewritten after each step boundary.
type RunRecord struct {
	Run string `json:"run"`
	// Status is running, stopped (a key's step failed) or done (every key
	// the run admitted reached done); the holder's local state file has
	// the run's outcome.
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

// ListRuns reads every run's journal object, newest run first.
func (s *Store) ListRuns(ctx context.Context) ([]RunRecord, error) {
	keys, err := s.list(ctx, "runs")
	if err != nil {
		return nil, err
	}
	var out []RunRecord
	for _, k := range keys {
		if !strings.HasSuffix(k, ".json") {
			continue
		}
		var r RunRecord
		if _, err := s.getJSON(ctx, k, &r); errors.Is(err, ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Run > out[j].Run }) // run IDs start with their UTC time
	return out, nil
}

// status is the record's status from its keys' last boundaries.
func (r RunRecord) status() string {
	done := len(r.Keys) > 0
	for _, k := range r.Keys {
		if k.Phase == "fail" {
			return "stopped"
		}
		if k.Step != "done" || k.Phase != "end" {
			done = false
		}
	}
	if done {
		return "done"
	}
	return "running"
}
