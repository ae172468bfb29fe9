package sharedstate

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Acquire takes the key's lock for l.Run: it creates the lock object with
// If-None-Match: *. When the object exists and names the same run (a
// resumed run, maybe on another machine) the lock is rewritten for this
// process with If-Match on the ETag just read; any other holder is a
// *HeldError naming it, stale or not (freeing a stale lock is an explicit,
// audited byok lock release --force). The returned Lock carries the ETag
// that Heartbeat and Release need.
func (s *Store) Acquire(ctx context.Context, l Lock, staleAfter time.Duration) (Lock, error) {
	now := s.now()
	l.Since, l.Heartbeat = now, now
	key := s.Location.lockKey(l.Key)
	for range maxConflicts {
		etag, err := s.putJSON(ctx, key, l, cond{ifNone: true})
		if err == nil {
			l.ETag = etag
			return l, nil
		}
		if c := errCode(err); c == codeConflict {
			continue
		} else if c != codePrecondition {
			return Lock{}, fmt.Errorf("take shared lock %s: %w", key, err)
		}
		cur, err := s.Get(ctx, l.Key)
		if errors.Is(err, ErrNotFound) {
			continue // released in between: try to create again
		}
		if err != nil {
			return Lock{}, err
		}
		if cur.Run != l.Run {
			return Lock{}, &HeldError{Location: s.Location, Lock: cur, Stale: cur.Stale(now, staleAfter)}
		}
		l.Since = cur.Since
		etag, err = s.putJSON(ctx, key, l, cond{ifMatch: cur.ETag})
		switch c := errCode(err); {
		case err == nil:
			l.ETag = etag
			return l, nil
		case c == codeConflict || c == codePrecondition || c == codeNoSuchKey:
			continue
		default:
			return Lock{}, fmt.Errorf("take shared lock %s: %w", key, err)
		}
	}
	return Lock{}, fmt.Errorf("take shared lock %s: %d conflicting writers in a row; try again", key, maxConflicts)
}

// Heartbeat records that l's process still works, with If-Match on the
// ETag it last wrote. ErrLost when the lock was released or taken since.
func (s *Store) Heartbeat(ctx context.Context, l Lock) (Lock, error) {
	l.Heartbeat = s.now()
	etag, err := s.putJSON(ctx, s.Location.lockKey(l.Key), l, cond{ifMatch: l.ETag})
	switch errCode(err) {
	case "":
	case codePrecondition, codeNoSuchKey:
		return l, fmt.Errorf("heartbeat %s for run %s: %w", l.Key, l.Run, ErrLost)
	default:
		return l, fmt.Errorf("heartbeat %s: %w", l.Key, err)
	}
	if err != nil {
		return l, fmt.Errorf("heartbeat %s: %w", l.Key, err)
	}
	l.ETag = etag
	return l, nil
}

// Release deletes l's lock object if it is still the one l wrote (If-Match
// on its ETag). Releasing a lock already gone is not an error; a lock
// another process took since is ErrLost (and left alone).
func (s *Store) Release(ctx context.Context, l Lock) error {
	err := s.deleteIf(ctx, s.Location.lockKey(l.Key), l.ETag)
	switch errCode(err) {
	case "":
		if err != nil {
			return fmt.Errorf("release shared lock %s: %w", l.Key, err)
		}
		return nil
	case codeNoSuchKey:
		return nil
	case codePrecondition:
		return fmt.Errorf("release %s for run %s: %w", l.Key, l.Run, ErrLost)
	default:
		return fmt.Errorf("release shared lock %s: %w", l.Key, err)
	}
}

// Get reads the key's lock; ErrNotFound when the key is free.
func (s *Store) Get(ctx context.Context, keyARN string) (Lock, error) {
	var l Lock
	etag, err := s.getJSON(ctx, s.Location.lockKey(keyARN), &l)
	if err != nil {
		return Lock{}, err
	}
	l.ETag = etag
	return l, nil
}

// List returns every lock under the location.
func (s *Store) List(ctx context.Context) ([]Lock, error) {
	keys, err := s.list(ctx, "locks")
	if err != nil {
		return nil, err
	}
	var out []Lock
	for _, k := range keys {
		var l Lock
		etag, err := s.getJSON(ctx, k, &l)
		if errors.Is(err, ErrNotFound) {
			continue // released while listing
		}
		if err != nil {
			return nil, err
		}
		l.ETag = etag
		out = append(out, l)
	}
	return out, nil
}

// ForceRelease deletes the key's lock whatever process holds it, if that
// holder is stale (no heartbeat for staleAfter) or gone (gone, when set,
// reports a holder process known not to run); a live holder is a
// *LiveError. It returns the lock it removed; ErrNotFound when the key was
// free (an idempotent second release). The delete is conditional on the
// ETag read, so a holder that heartbeats in between keeps its lock.
func (s *Store) ForceRelease(ctx context.Context, keyARN string, staleAfter time.Duration, gone func(Lock) bool) (Lock, error) {
	cur, err := s.Get(ctx, keyARN)
	if err != nil {
		return Lock{}, err
	}
	if !cur.Stale(s.now(), staleAfter) && (gone == nil || !gone(cur)) {
		return cur, &LiveError{Lock: cur, StaleAfter: staleAfter}
	}
	err = s.deleteIf(ctx, s.Location.lockKey(keyARN), cur.ETag)
	switch errCode(err) {
	case "":
		if err != nil {
			return Lock{}, fmt.Errorf("release shared lock %s: %w", keyARN, err)
		}
		return cur, nil
	case codeNoSuchKey:
		return Lock{}, fmt.Errorf("%s: %w", keyARN, ErrNotFound)
	case codePrecondition, codeConflict:
		return cur, fmt.Errorf("release %s: its holder wrote the lock while it was being released; look again with byok lock status: %w", keyARN, ErrLive)
	default:
		return Lock{}, fmt.Errorf("release shared lock %s: %w", keyARN, err)
	}
}
