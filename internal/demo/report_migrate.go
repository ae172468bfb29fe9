package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/byok-dev/byok/internal/migrate"
	"github.com/byok-dev/byok/internal/store"
)

// Migration is one resource a migration run moved onto the new key.
type Migration struct {
	RunID    string `json:"run_id"`
	Type     string `json:"type"` // AWS::RDS::DBInstance, AWS::RDS::DBCluster, AWS::DynamoDB::Table, AWS::S3::Bucket
	Name     string `json:"name"`
	ARN      string `json:"arn"`
	Account  string `json:"account"`
	Method   string `json:"method"`
	Downtime string `json:"downtime"`
	OldKey   string `json:"old_key"`
	NewKey   string `json:"new_key"`
	// Status is the resource's last journaled step (done when finished).
	Status     string     `json:"status"`
	Steps      []StepSpan `json:"steps"`
	DurationMS int64      `json:"duration_ms"`
	// Identifier and Endpoint are the resource's name and endpoint after
	// the migration; IdentifierKept says they are the original ones.
	Identifier     string `json:"identifier,omitempty"`
	Endpoint       string `json:"endpoint,omitempty"`
	IdentifierKept bool   `json:"identifier_kept"`
	// WritersStopped is who confirmed the writes-stopped moment (RDS and
	// Aurora; S3 and DynamoDB migrate online).
	WritersStopped string `json:"writers_stopped,omitempty"`
	// Objects are an S3 bucket's re-encrypted objects, as its verify step
	// journaled them.
	Objects *ObjectCounts `json:"objects,omitempty"`
}

// ObjectCounts is what an S3 bucket migration did with the objects.
type ObjectCounts struct {
	Mode            string `json:"mode"` // copy (in-process), or batch (S3 Batch Operations)
	Copied          int64  `json:"copied"`
	AlreadyOnTarget int64  `json:"already_on_target"` // skipped: nothing to do
	Locked          int64  `json:"locked"`            // skipped: Object Lock retention or legal hold
	Bytes           int64  `json:"bytes_copied"`
}

// Retirement is an old key byok retire disabled.
type Retirement struct {
	RunID    string `json:"run_id"`
	KeyARN   string `json:"key_arn"`
	Status   string `json:"status"`
	KeyState string `json:"key_state"` // DescribeKey after the run
	// QuietFor is the quiet period judged (sandbox time) and Judged says
	// what was read to allow it.
	QuietFor string     `json:"quiet_for"`
	Judged   string     `json:"judged"`
	Ignored  int        `json:"ignored_uses"`
	Steps    []StepSpan `json:"steps"`
	// Deleted are the originals the resource owner deleted (kept by the
	// migration for rollback, on the old key) before the retirement.
	Deleted []string `json:"deleted_originals"`
}

// recordMigrations reads the migration run back from the journal into
// the report: one Migration per planned resource.
func (s *story) recordMigrations(ctx context.Context, id store.RunID, items []migrate.Item) error {
	run, err := s.runReport(ctx, id)
	if err != nil {
		return err
	}
	rks, err := s.w.store.ListRunKeys(ctx, id)
	if err != nil {
		return fmt.Errorf("read run %s: %w", id, err)
	}
	last := map[string]store.Step{}
	verified := map[string][]byte{}
	for _, rk := range rks {
		last[rk.KeyARN], verified[rk.KeyARN] = rk.Step, rk.Verification
	}
	for _, it := range items {
		m := Migration{RunID: id.String(), Type: it.Type, Name: it.Name, ARN: it.ARN, Account: it.Account, Method: string(it.Method),
			Downtime: string(it.Downtime), OldKey: it.CurrentKey, NewKey: it.TargetKey, Status: last[it.ARN].String()}
		switch it.Method {
		case migrate.MethodRDSInstance, migrate.MethodAuroraCluster:
			m.WritersStopped = demoWriters
		case migrate.MethodS3:
			if m.Objects, err = objectCounts(verified[it.ARN]); err != nil {
				return fmt.Errorf("%s: %w", it.Name, err)
			}
		}
		for _, k := range run.Keys {
			if k.KeyARN == it.ARN {
				m.Steps = k.Steps
			}
		}
		if n := len(m.Steps); n > 0 {
			m.DurationMS = m.Steps[n-1].EndMS - m.Steps[0].StartMS
		}
		s.rep.Migrations = append(s.rep.Migrations, m)
	}
	return nil
}

// objectCounts reads an S3 migration's counts from its verify step's
// record.
func objectCounts(verification []byte) (*ObjectCounts, error) {
	if len(verification) == 0 {
		return nil, errors.New("the S3 migration journaled no verification")
	}
	var c ObjectCounts
	if err := json.Unmarshal(verification, &c); err != nil {
		return nil, fmt.Errorf("read the S3 migration's verification: %w", err)
	}
	return &c, nil
}
