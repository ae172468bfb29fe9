package report

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/byok-dev/byok/internal/compliance"
)

// Spill keeps a streamed scan's results on disk, in the order added, for
// the steps that run after the report is written and need every result
// again (byok scan --save, --to-security-hub): memory stays bounded by the
// scan's window whatever the estate's size. The file is unlinked as soon
// as it is created, so nothing is left behind however the process ends.
type Spill struct {
	f   *os.File
	bw  *bufio.Writer
	enc *gob.Encoder
	n   int
}

// NewSpill creates an empty spill in the temporary directory.
func NewSpill() (*Spill, error) {
	f, err := os.CreateTemp("", "byok-results-*")
	if err != nil {
		return nil, fmt.Errorf("spill results: %w", err)
	}
	_ = os.Remove(f.Name())
	bw := bufio.NewWriterSize(f, 64<<10)
	return &Spill{f: f, bw: bw, enc: gob.NewEncoder(bw)}, nil
}

// Add appends one result.
func (s *Spill) Add(r compliance.Result) error {
	if err := s.enc.Encode(&r); err != nil {
		return fmt.Errorf("spill results: %w", err)
	}
	s.n++
	return nil
}

// Len is how many results were added.
func (s *Spill) Len() int { return s.n }

// Each calls fn with every result in the order added; it may be called
// more than once, after the last Add.
func (s *Spill) Each(fn func(compliance.Result) error) error {
	if err := s.bw.Flush(); err != nil {
		return fmt.Errorf("spill results: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("spill results: %w", err)
	}
	dec := gob.NewDecoder(bufio.NewReaderSize(s.f, 64<<10))
	for i := 0; i < s.n; i++ {
		var r compliance.Result
		if err := dec.Decode(&r); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("read spilled result %d of %d: %w", i+1, s.n, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if _, err := s.f.Seek(0, io.SeekEnd); err != nil {
		return fmt.Errorf("spill results: %w", err)
	}
	return nil
}

// Close releases the file (a nil Spill is fine).
func (s *Spill) Close() error {
	if s == nil {
		return nil
	}
	return s.f.Close()
}
