package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
)

// Report is the result of Verify.
type Report struct {
	Entries int
	// Head is the head record (Seq 0 and GenesisHash when none). Record
	// Head.Hash outside the state file to detect a wholesale rewrite.
	Head Head
	// HeadFile is the head file's path; HeadFileFound whether it exists.
	HeadFile      string
	HeadFileFound bool
	// Problems, sorted by Seq; empty when the log is intact. They include
	// the head file's disagreement with the database.
	Problems []*BreakError
	// Gaps are keys of succeeded runs that have no audit entry.
	Gaps []*GapError
}

// OK reports whether no problem was found.
func (r Report) OK() bool { return len(r.Problems) == 0 && len(r.Gaps) == 0 }

// First is the lowest-seq problem, or nil.
func (r Report) First() *BreakError {
	if len(r.Problems) == 0 {
		return nil
	}
	return r.Problems[0]
}

// Err is the first problem, else the first gap, else nil.
func (r Report) Err() error {
	if p := r.First(); p != nil {
		return p
	}
	if len(r.Gaps) > 0 {
		return r.Gaps[0]
	}
	return nil
}

// Verify recomputes every hash and link, checks the head record against
// the last entry and against the head file beside the state file, and
// cross-checks that every key of every succeeded run has an entry. A
// broken log gives the report and its first problem as the error (a
// *BreakError or *GapError); I/O failures give a plain error.
func (l *Log) Verify(ctx context.Context) (Report, error) {
	succeeded, err := succeededRunKeys(ctx, l.st) // before the entries: a run is marked succeeded after its entries
	if err != nil {
		return Report{}, fmt.Errorf("audit verify: %w", err)
	}
	entries, head, err := l.snapshot(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("audit verify: %w", err)
	}
	hf, found, err := readHeadFile(l.headPath)
	var bad *BreakError
	if errors.As(err, &bad) {
		err = nil
	}
	if err != nil {
		return Report{}, fmt.Errorf("audit verify: %w", err)
	}
	rep := Report{Entries: len(entries), Head: head, HeadFile: l.headPath, HeadFileFound: found,
		Problems: analyse(entries, head), Gaps: gaps(entries, succeeded)}
	if bad == nil { // the file is compared with what the log holds, not the head row (deleted with the tail)
		bad = checkHeadFile(l.headPath, lastHead(entries), hf, found)
	}
	if bad != nil {
		rep.Problems = append(rep.Problems, bad)
		sortProblems(rep.Problems)
	}
	return rep, rep.Err()
}

// lastHead is the head the stored entries end at.
func lastHead(entries []Entry) Head {
	if n := len(entries); n > 0 {
		return Head{Seq: entries[n-1].Seq, Hash: entries[n-1].Hash}
	}
	return Head{Hash: GenesisHash}
}

// snapshot reads the head record and every entry in one read transaction.
func (l *Log) snapshot(ctx context.Context) ([]Entry, Head, error) {
	if l.absent {
		return nil, Head{Hash: GenesisHash}, nil
	}
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
	return entries, head, err
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
	sortProblems(probs)
	return probs
}

func sortProblems(probs []*BreakError) {
	sort.SliceStable(probs, func(a, b int) bool {
		if probs[a].Seq != probs[b].Seq {
			return probs[a].Seq < probs[b].Seq
		}
		return kindRank(probs[a].Kind) < kindRank(probs[b].Kind)
	})
}

// kindRank orders problems at the same seq: the specific explanation
// (inserted, removed, moved) before the generic "edited".
func kindRank(k error) int {
	for i, e := range []error{ErrInserted, ErrRemoved, ErrReordered, ErrTruncated, ErrEdited, ErrHeadMismatch, ErrHeadFileMissing} {
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
