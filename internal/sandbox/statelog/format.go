package statelog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strconv"
)

// The file starts with a fixed-width header whose count of acknowledged
// records is rewritten in place after every group write:
//
//	#byok-sandbox-state v2 acked=00000000000000000042\n
//
// and each record is "crc32c-hex SP json LF". A file without the header
// is the first format (plain JSON lines), read once and rewritten.
const (
	headerPrefix = "#byok-sandbox-state v2 acked="
	ackedDigits  = 20
	ackedOffset  = int64(len(headerPrefix))
	headerLen    = len(headerPrefix) + ackedDigits + 1
	crcLen       = 8
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt says the state file lost or altered acknowledged records.
var ErrCorrupt = errors.New("sandbox state file is corrupt")

func header(acked uint64) []byte {
	return append(append([]byte(headerPrefix), ackedField(acked)...), '\n')
}

func ackedField(n uint64) []byte {
	return fmt.Appendf(nil, "%0*d", ackedDigits, n)
}

// frame prefixes an encoded record line (ending in LF) with its checksum.
func frame(line []byte) []byte {
	body := line[:len(line)-1]
	out := make([]byte, 0, crcLen+1+len(line))
	out = fmt.Appendf(out, "%08x ", crc32.Checksum(body, castagnoli))
	return append(out, line...)
}

// unframe checks a record line (without its LF) and returns its JSON.
func unframe(line []byte) ([]byte, bool) {
	if len(line) < crcLen+2 || line[crcLen] != ' ' {
		return nil, false
	}
	want, err := strconv.ParseUint(string(line[:crcLen]), 16, 32)
	body := line[crcLen+1:]
	return body, err == nil && uint32(want) == crc32.Checksum(body, castagnoli)
}

func (l *Log) replay(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open sandbox state: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	first, err := r.Peek(len(headerPrefix))
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read sandbox state %s: %w", path, err)
	}
	if !bytes.Equal(first, []byte(headerPrefix)) {
		if len(first) == 0 {
			return nil // empty file: nothing was ever written
		}
		return l.replayV1(path, r)
	}
	return l.replayV2(path, r)
}

func (l *Log) replayV2(path string, r *bufio.Reader) error {
	hdr, err := r.ReadBytes('\n')
	if err != nil || len(hdr) != headerLen {
		return corrupt(path, "its header is damaged")
	}
	acked, err := strconv.ParseUint(string(hdr[len(headerPrefix):len(hdr)-1]), 10, 64)
	if err != nil {
		return corrupt(path, "its header is damaged")
	}
	var n uint64
	for ; ; n++ {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) && len(line) == 0 {
			break
		}
		body, ok := unframe(bytes.TrimSuffix(line, []byte("\n")))
		if err != nil || !ok {
			if n >= acked {
				break // a torn record no client was told of
			}
			return corrupt(path, fmt.Sprintf("record %d of %d acknowledged fails its checksum", n+1, acked))
		}
		var rec record
		if err := json.Unmarshal(body, &rec); err != nil {
			return corrupt(path, fmt.Sprintf("record %d: %v", n+1, err))
		}
		l.apply(rec)
	}
	if n < acked {
		return corrupt(path, fmt.Sprintf("it holds %d of the %d records it acknowledged (truncated)", n, acked))
	}
	return nil
}

// replayV1 reads the first format: JSON lines without checksums.
func (l *Log) replayV1(path string, r *bufio.Reader) error {
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return nil // a torn last line (no newline) was never acknowledged
		}
		if err != nil {
			return fmt.Errorf("read sandbox state %s: %w", path, err)
		}
		var rec record
		if err := json.Unmarshal(bytes.TrimSpace(line), &rec); err != nil {
			return corrupt(path, fmt.Sprintf("line %d: %v", n, err))
		}
		l.apply(rec)
	}
}

func corrupt(path, why string) error {
	return fmt.Errorf("%w: %s: %s; nothing was loaded — restore it from a copy, or move it away to start an empty sandbox", ErrCorrupt, path, why)
}
