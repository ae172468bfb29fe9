package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// HeadFileSuffix names the head file beside the state file: STATE + suffix.
// It repeats the database's head record outside the database, so deleting
// the log's tail together with the head row is still detected.
const HeadFileSuffix = ".audit-head"

// HeadPath is the head file of the state file at statePath.
func HeadPath(statePath string) string { return statePath + HeadFileSuffix }

// headFile is the head file's content. Append writes it twice: before the
// commit with Pending naming the entry being committed, and after the commit
// with that entry as Seq/Hash. A process killed between the two leaves a
// file that names both the old and the new head, so either state of the
// database verifies, and nothing else does.
type headFile struct {
	Version int    `json:"version"`
	Seq     int64  `json:"seq"`
	Hash    string `json:"hash"`
	Pending *Head  `json:"pending,omitempty"`
}

const headFileVersion = 1

// readHeadFile returns the head file at path; ok is false when there is none.
func readHeadFile(path string) (h headFile, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return headFile{}, false, nil
	}
	if err != nil {
		return headFile{}, false, fmt.Errorf("read audit head file %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &h); err != nil || h.Version != headFileVersion || h.Seq < 0 ||
		(h.Seq == 0) != (h.Hash == "" || h.Hash == GenesisHash) {
		return headFile{}, true, &BreakError{Kind: ErrHeadMismatch, Detail: fmt.Sprintf("the head file %s is unreadable or damaged", path)}
	}
	return h, true, nil
}

// writeHeadFile replaces the head file atomically: a temporary file in the
// same directory, fsynced, renamed over the old one, directory fsynced.
func writeHeadFile(path string, h headFile) error {
	h.Version = headFileVersion
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".new-*")
	if err != nil {
		return fmt.Errorf("write audit head file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write audit head file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write audit head file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write audit head file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write audit head file: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("write audit head file: %w", err)
	}
	defer d.Close()
	return d.Sync()
}

// checkHeadFile compares the database head with the head file (ok false:
// there is none) and explains a disagreement.
func checkHeadFile(path string, db Head, f headFile, ok bool) *BreakError {
	if !ok {
		if db.Seq == 0 {
			return nil
		}
		return &BreakError{Seq: db.Seq, Kind: ErrHeadFileMissing,
			Detail: fmt.Sprintf("the log has %d entries but there is no head file %s (deleted, or the state file was moved without it)", db.Seq, path)}
	}
	confirmed := Head{Seq: f.Seq, Hash: f.Hash}
	if confirmed.Seq == 0 {
		confirmed.Hash = GenesisHash
	}
	switch {
	case db == confirmed, f.Pending != nil && db == *f.Pending:
		return nil
	case f.Seq > db.Seq:
		return &BreakError{Seq: db.Seq + 1, Kind: ErrTruncated,
			Detail: fmt.Sprintf("the head file %s names entry %d but the state file's log ends at %d: entries and the head record were deleted, or this is an older copy of the state file", path, f.Seq, db.Seq)}
	case f.Seq < db.Seq:
		return &BreakError{Seq: f.Seq + 1, Kind: ErrInserted,
			Detail: fmt.Sprintf("entries %d..%d are not in the head file %s (written by something other than byok, or the head file is an older copy)", f.Seq+1, db.Seq, path)}
	}
	return &BreakError{Seq: db.Seq, Kind: ErrHeadMismatch,
		Detail: fmt.Sprintf("the head file %s names a different entry %d (hash %.12s…, the state has %.12s…): the log was rewritten", path, f.Seq, f.Hash, db.Hash)}
}

// CheckOrphanHead refuses to start a new state file at statePath when a
// head file of a previous one is still beside it: the old state file was
// deleted or moved, and a new empty one would silently restart the log.
// Call it before creating the state file.
func CheckOrphanHead(statePath string) error {
	if _, err := os.Stat(statePath); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil // the state file exists: Open compares it with the head file
	}
	h, ok, err := readHeadFile(HeadPath(statePath))
	if !ok || (err == nil && h.Seq == 0) {
		return nil
	}
	return fmt.Errorf("state file %s: %w: it is missing but its audit head file %s names %d audit entries; "+
		"restore the state file (or point --state / BYOK_STATE at where it moved); to start a new audit log here on purpose, move %s away first",
		statePath, ErrTruncated, HeadPath(statePath), h.Seq, HeadPath(statePath))
}

// ErrHeadFileExists: AdoptHead found a head file already.
var ErrHeadFileExists = errors.New("head file already exists")

// AdoptHead writes the head file of a log that has none (a state file
// from before head files): only when the chain itself verifies and every
// succeeded run has its entries, since the file then vouches for it.
func (l *Log) AdoptHead(ctx context.Context) (Head, error) {
	if _, ok, _ := readHeadFile(l.headPath); ok {
		return Head{}, fmt.Errorf("adopt head: %s: %w", l.headPath, ErrHeadFileExists)
	}
	rep, err := l.Verify(ctx)
	if rep.OK() && err != nil { // I/O
		return Head{}, err
	}
	for _, p := range rep.Problems {
		if !errors.Is(p, ErrHeadFileMissing) {
			return Head{}, fmt.Errorf("adopt head: the log is not intact: %w", p)
		}
	}
	if len(rep.Gaps) > 0 {
		return Head{}, fmt.Errorf("adopt head: %w", rep.Gaps[0])
	}
	if err := writeHeadFile(l.headPath, headFile{Seq: rep.Head.Seq, Hash: rep.Head.Hash}); err != nil {
		return Head{}, err
	}
	return rep.Head, nil
}
