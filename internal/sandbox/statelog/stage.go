package statelog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// stagingSuffix names the file a new state is written to until Publish.
const stagingSuffix = ".staging"

// OpenStaged is Open for a state that must appear whole or not at all: if
// path exists it is opened as usual; otherwise the log is written to
// path.staging (an earlier, unpublished one is discarded) and appears at
// path only when Publish is called, so a process killed during the first
// seed leaves no half-seeded state behind.
func OpenStaged(path string) (*Log, error) {
	if path == "" {
		return Open("")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		return Open(path)
	}
	staging := path + stagingSuffix
	if err := os.Remove(staging); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("discard unpublished sandbox state: %w", err)
	}
	l, err := Open(staging)
	if err != nil {
		return nil, err
	}
	l.staged = path
	return l, nil
}

// Publish makes a staged log appear at its final path (synced first). It
// is a no-op for a log that is not staged.
func (l *Log) Publish() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.writing {
		l.cond.Wait()
	}
	if l.staged == "" || l.f == nil {
		return nil
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("publish sandbox state: %w", err)
	}
	if err := os.Rename(l.path, l.staged); err != nil {
		return fmt.Errorf("publish sandbox state: %w", err)
	}
	syncDir(filepath.Dir(l.staged))
	l.path, l.staged = l.staged, ""
	return nil
}

// dropUnpublished removes a staged file that was never published.
func (l *Log) dropUnpublished() error {
	if l.staged == "" {
		return nil
	}
	if err := os.Remove(l.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("discard unpublished sandbox state: %w", err)
	}
	return nil
}
