package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/byok-dev/byok/internal/compliance"
)

// ANSI colours per verdict for the table.
var verdictColors = map[compliance.Verdict]string{
	compliance.Compliant:        "\x1b[32m", // green
	compliance.NonCompliant:     "\x1b[31m", // red
	compliance.InsufficientData: "\x1b[33m", // yellow
	compliance.NotApplicable:    "\x1b[2m",  // dim
	compliance.Exempted:         "\x1b[36m", // cyan
}

const colorReset = "\x1b[0m"

func writeHeader(w *errWriter, m Meta) {
	w.printf("byok scan at %s, estate %s, Security account %s\n",
		m.ScanTime.UTC().Format(time.RFC3339), orDash(m.Estate), orDash(m.SecurityAccount))
	w.printf("accounts: %s; regions: %s\n\n", orDash(strings.Join(m.Accounts, ", ")), orDash(strings.Join(m.Regions, ", ")))
}

func writeErrors(w *errWriter, errs []ScanError) {
	if len(errs) == 0 {
		return
	}
	w.printf("\nScan errors (%d): these accounts/regions are incomplete\n", len(errs))
	for _, e := range errs {
		where := e.Account + " " + e.Region
		if e.Service != "" {
			where += " " + e.Service
		}
		w.printf("  %s: %s\n", clean(where), clean(e.Message))
	}
}

func writeSummary(w *errWriter, s Summary) {
	w.printf("\nSummary: %d resources\n", s.Total)
	var rows [][]string
	for _, v := range compliance.Verdicts() {
		rows = append(rows, []string{"  " + v.String(), strconv.Itoa(s.ByVerdict[v.String()])})
	}
	writeAligned(w, rows, nil)
	w.printf("By reason:\n")
	rows = nil
	for _, reason := range compliance.Reasons() {
		if n := s.ByReason[string(reason)]; n > 0 {
			rows = append(rows, []string{"  " + string(reason), strconv.Itoa(n)})
		}
	}
	writeAligned(w, rows, nil)
	w.printf("By account:\n")
	rows = [][]string{{"  ACCOUNT"}}
	for _, v := range compliance.Verdicts() {
		rows[0] = append(rows[0], v.String())
	}
	accounts := make([]string, 0, len(s.ByAccount))
	for a := range s.ByAccount {
		accounts = append(accounts, a)
	}
	slices.Sort(accounts)
	for _, a := range accounts {
		row := []string{"  " + a}
		for _, v := range compliance.Verdicts() {
			row = append(row, strconv.Itoa(s.ByAccount[a][v.String()]))
		}
		rows = append(rows, row)
	}
	writeAligned(w, rows, nil)
}

// writeAligned pads every column but the last to its widest cell (in
// runes), two spaces apart. paint may decorate a cell after padding is
// computed, so colour codes do not break the alignment.
func writeAligned(w *errWriter, rows [][]string, paint func(row, col int, cell string) string) {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			row[i] = clean(cell)
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(row[i]))
		}
	}
	for r, row := range rows {
		var b strings.Builder
		for i, cell := range row {
			out := cell
			if paint != nil {
				out = paint(r, i, cell)
			}
			b.WriteString(out)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell)+2))
			}
		}
		w.printf("%s\n", b.String())
	}
}

// clean replaces control characters (newlines, ESC) so that a resource name
// cannot break the table or inject terminal escapes.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// errWriter keeps the first write error so that a writer reads as a list
// of lines.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}
