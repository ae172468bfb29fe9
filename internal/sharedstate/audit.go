package sharedstate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// The shared audit chain: every operator's audit entries, in one
// hash-chained sequence under audit/. Entry N is audit/entries/N.json
// (N zero-padded), created with If-None-Match: * so that one writer
// claims each sequence number; audit/head.json names the last entry and
// advances with If-Match, so the head is the chain's source of truth. A
// writer that finds an entry beyond the head (its writer died before
// moving the head) moves the head forward first.

// AuditEntry is one link of the shared chain.
type AuditEntry struct {
	Seq   int64           `json:"seq"`
	Prev  string          `json:"prev"`
	Hash  string          `json:"hash"`
	Entry json.RawMessage `json:"entry"` // the local audit entry, as recorded
}

// AuditHead is the shared chain's last entry.
type AuditHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// ErrChainBroken: the shared chain does not verify.
var ErrChainBroken = errors.New("shared audit chain broken")

func linkHash(seq int64, prev string, entry json.RawMessage) string {
	h := sha256.New()
	h.Write([]byte(strconv.FormatInt(seq, 10) + "\n" + prev + "\n"))
	h.Write(entry)
	return hex.EncodeToString(h.Sum(nil))
}

func (s *Store) entryKey(seq int64) string {
	return s.Location.key("audit", "entries", fmt.Sprintf("%020d.json", seq))
}

func (s *Store) headKey() string { return s.Location.key("audit", "head.json") }

// readHead returns the head and its ETag ("" and a zero head when the
// chain is empty).
func (s *Store) readHead(ctx context.Context) (AuditHead, string, error) {
	var h AuditHead
	etag, err := s.getJSON(ctx, s.headKey(), &h)
	if errors.Is(err, ErrNotFound) {
		return AuditHead{}, "", nil
	}
	return h, etag, err
}

// moveHead advances the head from etag ("" = no head yet) to h.
func (s *Store) moveHead(ctx context.Context, etag string, h AuditHead) error {
	c := cond{ifMatch: etag, ifNone: etag == ""}
	_, err := s.putJSON(ctx, s.headKey(), h, c)
	return err
}

// AppendAudit links entry (a JSON document, no secrets) after the shared
// head and returns the link.
func (s *Store) AppendAudit(ctx context.Context, entry json.RawMessage) (AuditEntry, error) {
	for range maxConflicts * 4 {
		head, etag, err := s.readHead(ctx)
		if err != nil {
			return AuditEntry{}, err
		}
		e := AuditEntry{Seq: head.Seq + 1, Prev: head.Hash, Entry: entry}
		e.Hash = linkHash(e.Seq, e.Prev, entry)
		_, err = s.putJSON(ctx, s.entryKey(e.Seq), e, cond{ifNone: true})
		switch errCode(err) {
		case "":
			if err != nil {
				return AuditEntry{}, fmt.Errorf("append shared audit entry: %w", err)
			}
			if err := s.moveHead(ctx, etag, AuditHead{Seq: e.Seq, Hash: e.Hash}); err != nil && !retryable(err) {
				return AuditEntry{}, fmt.Errorf("advance shared audit head: %w", err)
			}
			// A lost head race is repaired by the next writer (roll forward).
			return e, nil
		case codePrecondition, codeConflict:
			if err := s.rollForward(ctx, head, etag); err != nil {
				return AuditEntry{}, err
			}
		default:
			return AuditEntry{}, fmt.Errorf("append shared audit entry: %w", err)
		}
	}
	return AuditEntry{}, fmt.Errorf("append shared audit entry: too many concurrent writers; try again")
}

func retryable(err error) bool {
	c := errCode(err)
	return c == codePrecondition || c == codeConflict
}

// rollForward moves the head onto the entry after it, which another writer
// created (and may not have linked yet).
func (s *Store) rollForward(ctx context.Context, head AuditHead, etag string) error {
	var next AuditEntry
	if _, err := s.getJSON(ctx, s.entryKey(head.Seq+1), &next); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil // the racing writer's entry is not visible yet: retry
		}
		return err
	}
	if next.Prev != head.Hash || next.Hash != linkHash(next.Seq, next.Prev, next.Entry) {
		return fmt.Errorf("entry %d does not follow the head %d: %w", next.Seq, head.Seq, ErrChainBroken)
	}
	if err := s.moveHead(ctx, etag, AuditHead{Seq: next.Seq, Hash: next.Hash}); err != nil && !retryable(err) {
		return fmt.Errorf("advance shared audit head: %w", err)
	}
	return nil
}

// AuditEntries returns the shared chain in order, verified: each link's
// hash, each link's predecessor, and the head on the last link (or, after
// a writer died between its entry and the head, on the one before).
func (s *Store) AuditEntries(ctx context.Context) ([]AuditEntry, error) {
	keys, err := s.list(ctx, "audit/entries")
	if err != nil {
		return nil, err
	}
	var out []AuditEntry
	prev := ""
	for i, k := range keys {
		var e AuditEntry
		if _, err := s.getJSON(ctx, k, &e); err != nil {
			return nil, err
		}
		if e.Seq != int64(i+1) || e.Prev != prev || e.Hash != linkHash(e.Seq, e.Prev, e.Entry) {
			return out, fmt.Errorf("shared audit entry %s: %w", k, ErrChainBroken)
		}
		prev = e.Hash
		out = append(out, e)
	}
	head, _, err := s.readHead(ctx)
	if err != nil {
		return out, err
	}
	n := int64(len(out))
	if head.Seq > n || head.Seq < n-1 || (head.Seq > 0 && out[head.Seq-1].Hash != head.Hash) {
		return out, fmt.Errorf("shared audit head names entry %d of %d: %w", head.Seq, n, ErrChainBroken)
	}
	return out, nil
}
