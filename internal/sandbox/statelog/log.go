// Package statelog is the sandbox's durable state: an append-only log of
// JSON records (put, delete) keyed by kind and ID, replayed at start and
// compacted into a fresh log. Every record carries a CRC-32C of its bytes,
// and the file's fixed-width header counts the acknowledged records (it is
// rewritten in place after each group write, before the writers are
// acknowledged), so a file truncated mid-record or at a record boundary, or
// altered, is refused rather than loaded with state silently lost; only a
// torn record past that count, which no client was told of, is dropped. Each record is written with one write(2)
// before the request that caused it is acknowledged, so a SIGKILL loses
// nothing acknowledged (the kernel holds the bytes); fsync is only done on
// Close and on compaction, since the sandbox promises process-crash, not
// power-loss, durability.
//
// It stores opaque JSON; it knows nothing of KMS or any other service.
package statelog

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

type record struct {
	Op   string          `json:"op"` // "put" or "del"
	Kind string          `json:"k"`
	ID   string          `json:"id"`
	Val  json.RawMessage `json:"v,omitempty"`
	// noRetain: written to the file but not kept in memory (Append).
	noRetain bool
}

// Log is a keyed record store. A Log with no file (Open("")) keeps
// state in memory only. Safe for concurrent use.
type Log struct {
	mu    sync.Mutex
	f     *os.File
	state map[string]map[string]json.RawMessage
	order map[string][]string // insertion order per kind (for trails)

	// Group commit: records queue in buf; one writer at a time writes the
	// whole queue with a single write(2) while the others wait for it.
	cond    *sync.Cond
	buf     []byte
	spare   []byte
	queued  uint64 // records queued so far
	written uint64 // records whose bytes reached the kernel
	writing bool
	werr    error

	end    int64  // file offset where the next record goes
	acked  uint64 // records counted in the file's header
	staged string // final path while the log is staged (OpenStaged); "" once published
	path   string // the file written
}

// Open opens (or creates) the log at path and replays it. path "" gives an
// in-memory log.
func Open(path string) (*Log, error) {
	l := &Log{state: map[string]map[string]json.RawMessage{}, order: map[string][]string{}}
	l.cond = sync.NewCond(&l.mu)
	if path == "" {
		return l, nil
	}
	if err := l.replay(path); err != nil {
		return nil, err
	}
	if err := l.compact(path); err != nil {
		return nil, err
	}
	l.path = path
	return l, nil
}

func (l *Log) apply(rec record) {
	m := l.state[rec.Kind]
	if m == nil {
		m = map[string]json.RawMessage{}
		l.state[rec.Kind] = m
	}
	switch rec.Op {
	case "put":
		if _, ok := m[rec.ID]; !ok {
			l.order[rec.Kind] = append(l.order[rec.Kind], rec.ID)
		}
		m[rec.ID] = rec.Val
	case "del":
		delete(m, rec.ID)
	}
}

// compact rewrites the live records to a new file and swaps it in. While
// the log is staged (OpenStaged), the new file keeps the staged name.
func (l *Log) compact(path string) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("compact sandbox state: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var n uint64
	for kind, ids := range l.order {
		for _, id := range ids {
			if _, ok := l.state[kind][id]; ok {
				n++
			}
		}
	}
	_, _ = w.Write(header(n))
	for kind, ids := range l.order {
		for _, id := range ids {
			if v, ok := l.state[kind][id]; ok {
				_, _ = w.Write(frame(encode(record{Op: "put", Kind: kind, ID: id, Val: v})))
			}
		}
	}
	if err := errors.Join(w.Flush(), f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("compact sandbox state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("compact sandbox state: %w", err)
	}
	syncDir(filepath.Dir(path))
	l.order = l.liveOrder()
	l.f, err = os.OpenFile(path, os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("open sandbox state: %w", err)
	}
	st, err := l.f.Stat()
	if err != nil {
		return fmt.Errorf("open sandbox state: %w", err)
	}
	l.end, l.acked = st.Size(), n
	return nil
}

func (l *Log) liveOrder() map[string][]string {
	out := map[string][]string{}
	for kind, ids := range l.order {
		for _, id := range ids {
			if _, ok := l.state[kind][id]; ok {
				out[kind] = append(out[kind], id)
			}
		}
	}
	return out
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// Put stores v (marshalled to JSON) under kind/id, replacing any earlier value.
func (l *Log) Put(kind, id string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", kind, id, err)
	}
	return l.write(record{Op: "put", Kind: kind, ID: id, Val: raw})
}

// encode renders rec as one JSON line without re-compacting Val (which
// json.Marshal already produced compact): the hot path of every trail event.
func encode(rec record) []byte {
	b := make([]byte, 0, len(rec.Val)+len(rec.Kind)+len(rec.ID)+40)
	b = append(b, `{"op":`...)
	b = strconv.AppendQuote(b, rec.Op)
	b = append(b, `,"k":`...)
	b = appendJSONString(b, rec.Kind)
	b = append(b, `,"id":`...)
	b = appendJSONString(b, rec.ID)
	if rec.Val != nil {
		b = append(b, `,"v":`...)
		b = append(b, rec.Val...)
	}
	return append(b, '}', '\n')
}

func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// Append writes v under kind/id like Put, but the log does not keep it in
// memory: Each replays appended records only after a reopen. It is for
// high-volume, never-updated records (CloudTrail events) whose owner keeps
// its own in-memory copy. A log with no file cannot be reopened, so it
// neither encodes nor keeps them.
func (l *Log) Append(kind, id string, v any) error {
	if !l.persistent() {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", kind, id, err)
	}
	return l.write(record{Op: "put", Kind: kind, ID: id, Val: raw, noRetain: true})
}

func (l *Log) persistent() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f != nil
}

// Delete removes kind/id.
func (l *Log) Delete(kind, id string) error {
	return l.write(record{Op: "del", Kind: kind, ID: id})
}

// write applies rec and returns once its bytes were handed to the kernel
// (group commit: concurrent writers share one write(2)).
func (l *Log) write(rec record) error {
	line := frame(encode(rec))
	l.mu.Lock()
	defer l.mu.Unlock()
	if !rec.noRetain || l.f == nil {
		l.apply(rec)
	}
	if l.f == nil {
		return nil
	}
	l.buf = append(l.buf, line...)
	l.queued++
	mine := l.queued
	for l.written < mine {
		if l.writing {
			l.cond.Wait()
			continue
		}
		l.flushLocked()
	}
	if l.werr != nil {
		return fmt.Errorf("write sandbox state: %w", l.werr)
	}
	return nil
}

// flushLocked writes every queued record, then the header's count of
// acknowledged records; l.mu is released during the writes so that more
// records can queue behind them.
func (l *Log) flushLocked() {
	l.writing = true
	buf, upto, at := l.buf, l.queued, l.end
	acked := l.acked + (upto - l.written)
	l.buf = l.spare[:0]
	f := l.f
	l.mu.Unlock()
	_, err := f.WriteAt(buf, at)
	if err == nil {
		_, err = f.WriteAt(ackedField(acked), ackedOffset)
	}
	l.mu.Lock()
	l.spare = buf
	l.writing = false
	if err == nil {
		l.acked, l.end = acked, at+int64(len(buf))
	}
	l.written = upto
	if err != nil {
		l.werr = err
	}
	l.cond.Broadcast()
}

// Each calls fn for every live record of kind in insertion order.
func (l *Log) Each(kind string, fn func(id string, raw json.RawMessage) error) error {
	l.mu.Lock()
	ids := append([]string(nil), l.order[kind]...)
	m := l.state[kind]
	vals := make([]json.RawMessage, len(ids))
	for i, id := range ids {
		vals[i] = m[id]
	}
	l.mu.Unlock()
	for i, id := range ids {
		if vals[i] == nil {
			continue
		}
		if err := fn(id, vals[i]); err != nil {
			return err
		}
	}
	return nil
}

// Close syncs and closes the file.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.writing {
		l.cond.Wait()
	}
	if l.f == nil {
		return nil
	}
	err := errors.Join(l.f.Sync(), l.f.Close(), l.dropUnpublished())
	l.f = nil
	return err
}
