package demo

import (
	"context"
	"fmt"
)

// auditVerify checks the audit chain and that every rotated key, every
// re-imported material, every migrated resource and every retired key
// left an entry.
func (s *story) auditVerify(ctx context.Context) error {
	rep, err := s.w.audit.Verify(ctx)
	st := AuditStatus{Checked: true, OK: rep.OK() && err == nil, Entries: rep.Entries, HeadSeq: rep.Head.Seq, HeadHash: rep.Head.Hash}
	for _, p := range rep.Problems {
		st.Problems = append(st.Problems, p.Error())
	}
	s.rep.Audit = st
	if err != nil {
		return fmt.Errorf("audit chain: %w", err)
	}
	want := 0
	for _, r := range s.rep.Runs {
		want += len(r.Keys)
	}
	want += len(s.rep.Reimports) + len(s.rep.Migrations) + len(s.rep.Retirements)
	if rep.Entries != want {
		return fmt.Errorf("audit log has %d entries, want one per rotated key, re-imported material, migrated resource and retired key (%d)", rep.Entries, want)
	}
	s.out.ok("%s, chain intact; head seq %d hash %s", plural(rep.Entries, "entry", "entries"), rep.Head.Seq, rep.Head.Hash)
	return nil
}
