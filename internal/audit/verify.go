package audit

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
)

// Report is the result of Verify.
type Report struct {
	Entries int
	// Head is the head record (Seq 0 and GenesisHash when none). Record
	// Head.Hash outside the state file to detect a wholesale rewrite.
	Head Head
	// Problems, sorted by Seq; empty when the log is intact.
	Problems []*BreakError
}

// OK reports whether no problem was found.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// First is the lowest-seq problem, or nil.
func (r Report) First() *BreakError {
	if len(r.Problems) == 0 {
		return nil
	}
	return r.Problems[0]
}

// Verify recomputes every hash and link and checks the head record. A
// broken log gives the report and its First problem as the error (a
// *BreakError); I/O failures give a plain error.
func (l *Log) Verify(ctx context.Context) (Report, error) {
	var entries []Entry
	var head Head
	err := readSnapshot(ctx, l.db, func(tx *sql.Tx) error {
		var err error
		if head, err = readHead(ctx, tx); err != nil {
			return err
		}
		entries, err = l.List(ctx)
		return err
	})
	if err != nil {
		return Report{}, fmt.Errorf("audit verify: %w", err)
	}
	rep := Report{Entries: len(entries), Head: head, Problems: analyse(entries, head)}
	if !rep.OK() {
		return rep, rep.First()
	}
	return rep, nil
}

func readSnapshot(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

func analyse(entries []Entry, head Head) []*BreakError {
	c := newChain(entries)
	var probs []*BreakError
	for i := range entries {
		if p := c.check(i); p != nil {
			probs = append(probs, p)
		}
	}
	if p := checkHead(c, head); p != nil {
		probs = append(probs, p)
	}
	sort.SliceStable(probs, func(a, b int) bool {
		if probs[a].Seq != probs[b].Seq {
			return probs[a].Seq < probs[b].Seq
		}
		return kindRank(probs[a].Kind) < kindRank(probs[b].Kind)
	})
	return probs
}

// kindRank orders problems at the same seq: the specific explanation
// (inserted, removed, moved) before the generic "edited".
func kindRank(k error) int {
	for i, e := range []error{ErrInserted, ErrRemoved, ErrReordered, ErrTruncated, ErrEdited} {
		if k == e {
			return i
		}
	}
	return 99
}

func checkHead(c *chain, head Head) *BreakError {
	var last Entry
	if n := len(c.entries); n > 0 {
		last = c.entries[n-1]
	} else {
		last.Hash = GenesisHash
	}
	switch {
	case head.Seq == 0 && len(c.entries) > 0:
		return &BreakError{Seq: last.Seq, Kind: ErrHeadMismatch, Detail: "the head record is missing"}
	case last.Seq < head.Seq:
		return &BreakError{Seq: last.Seq + 1, Kind: ErrTruncated,
			Detail: fmt.Sprintf("the head record names entry %d but the log ends at %d", head.Seq, last.Seq)}
	case last.Seq > head.Seq:
		return &BreakError{Seq: head.Seq + 1, Kind: ErrInserted,
			Detail: fmt.Sprintf("entries %d..%d come after the head record (seq %d)", head.Seq+1, last.Seq, head.Seq)}
	case last.Hash != head.Hash:
		return &BreakError{Seq: last.Seq, Kind: ErrEdited,
			Detail: "the last entry's hash differs from the head record (rewritten with a recomputed hash, or the head edited)"}
	}
	return nil
}
