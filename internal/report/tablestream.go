package report

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/byok-dev/byok/internal/compliance"
)

// tableSpillRows is how many rows the table holds in memory; past it they
// go to a temporary file. The columns are aligned over every row, so no
// row can be printed before the last one is known. (A variable for tests.)
var tableSpillRows = 10_000

// cellSep separates a spilled row's cells: clean has replaced every
// control character in them, so neither it nor '\n' can occur inside one.
const cellSep = "\x00"

var tableColumns = []string{"VERDICT", "REASON", "ACCOUNT", "REGION", "TYPE", "RESOURCE", "DETAIL"}

// tableWriter writes the scan header at Begin, keeps the rows (in memory,
// then in an unlinked temporary file) and their column widths, and writes
// the aligned rows, the scan errors and the summary at End.
type tableWriter struct {
	w      io.Writer
	color  bool
	head   Report
	widths []int
	rows   [][]string
	spill  *os.File
	sw     *bufio.Writer
	err    error
}

func (t *tableWriter) Begin(head Report) error {
	t.head = head
	t.widths = make([]int, len(tableColumns))
	t.track(slices.Clone(tableColumns))
	ew := &errWriter{w: t.w}
	writeHeader(ew, head.Meta)
	return ew.err
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// track cleans row's cells in place and widens the columns.
func (t *tableWriter) track(row []string) {
	for i, cell := range row {
		row[i] = clean(cell)
		t.widths[i] = max(t.widths[i], runeLen(row[i]))
	}
}

func (t *tableWriter) Add(r compliance.Result) error {
	res := r.Resource
	row := []string{r.Verdict.String(), string(r.Reason), res.Account, res.Region, res.Type.ShortName(), res.Label(), r.Detail}
	t.track(row)
	if t.spill == nil && len(t.rows) < tableSpillRows {
		t.rows = append(t.rows, row)
		return nil
	}
	if t.spill == nil {
		if err := t.startSpill(); err != nil {
			return err
		}
	}
	if _, err := t.sw.WriteString(strings.Join(row, cellSep) + "\n"); err != nil {
		return fmt.Errorf("write table: spill rows: %w", err)
	}
	return nil
}

// startSpill opens an unlinked temporary file for the rows past
// tableSpillRows: nothing is left behind however the process ends.
func (t *tableWriter) startSpill() error {
	f, err := os.CreateTemp("", "byok-table-*")
	if err != nil {
		return fmt.Errorf("write table: spill rows: %w", err)
	}
	_ = os.Remove(f.Name())
	t.spill, t.sw = f, bufio.NewWriterSize(f, 64<<10)
	return nil
}

func (t *tableWriter) End(m Meta, s Summary) error {
	ew := &errWriter{w: t.w}
	header := slices.Clone(tableColumns)
	t.writeRow(ew, header, false)
	for _, row := range t.rows {
		t.writeRow(ew, row, true)
	}
	t.rows = nil
	if t.spill != nil {
		if err := t.replaySpill(ew); err != nil {
			return err
		}
	}
	writeErrors(ew, m.Errors)
	writeSummary(ew, s)
	return ew.err
}

func (t *tableWriter) replaySpill(ew *errWriter) error {
	defer t.spill.Close()
	if err := t.sw.Flush(); err != nil {
		return fmt.Errorf("write table: spill rows: %w", err)
	}
	if _, err := t.spill.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("write table: spill rows: %w", err)
	}
	sc := bufio.NewScanner(t.spill)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		t.writeRow(ew, strings.Split(sc.Text(), cellSep), true)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("write table: read spilled rows: %w", err)
	}
	return nil
}

// writeRow pads every cell but the last to its column's width, two spaces
// apart; a result row's verdict is coloured after padding is computed.
func (t *tableWriter) writeRow(ew *errWriter, row []string, result bool) {
	var b strings.Builder
	for i, cell := range row {
		out := cell
		if i == 0 && result && t.color {
			out = verdictColorOf(cell) + cell + colorReset
		}
		b.WriteString(out)
		if i < len(row)-1 {
			b.WriteString(strings.Repeat(" ", t.widths[i]-runeLen(cell)+2))
		}
	}
	ew.printf("%s\n", b.String())
}

func verdictColorOf(name string) string {
	for v, c := range verdictColors {
		if v.String() == name {
			return c
		}
	}
	return ""
}
