package report

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
)

// Every format is written as results arrive: a Writer converts, encodes
// and hands one result at a time to a buffered writer, in the order the
// caller adds them, so a 300,000-resource report never exists in memory
// as results, findings or one encoded document. What depends on every
// result (the summary, the scan errors) comes last: the JSON document
// puts "results" before "scan" and "summary" (JSON objects are unordered;
// the fields are those of before), and the table, whose columns are
// aligned over all rows, holds its rows in a temporary file past
// tableSpillRows (see tableWriter).

// Writer renders one report as it is produced. Begin is called once, then
// Add per result in output order (account, Region, type, label, ID: the
// order Write sorts into), then End once with the final Meta (scan errors
// included) and the summary of every result added.
type Writer interface {
	// Begin starts the report. head.Keys is read at each Add: the caller
	// fills it with a result's key before adding the result.
	Begin(head Report) error
	Add(r compliance.Result) error
	End(m Meta, s Summary) error
}

// NewWriter returns the streaming writer of format f on w.
func NewWriter(w io.Writer, f Format, opt Options) (Writer, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	switch f {
	case FormatTable:
		return &tableWriter{w: w, color: opt.Color}, nil
	case FormatJSON:
		return &jsonWriter{w: bw}, nil
	case FormatCSV:
		return &csvWriter{w: w}, nil
	case FormatASFF:
		return &asffWriter{w: bw}, nil
	case FormatOCSF:
		return &ocsfWriter{w: bw, enc: json.NewEncoder(bw)}, nil
	}
	return nil, fmt.Errorf("write report: %w %d", ErrUnknownFormat, int(f))
}

// Write renders rep in format f: its results sorted into output order and
// streamed through NewWriter's writer.
func Write(w io.Writer, f Format, rep Report, opt Options) error {
	sw, err := NewWriter(w, f, opt)
	if err != nil {
		return err
	}
	head := rep
	head.Results = nil
	if err := sw.Begin(head); err != nil {
		return err
	}
	for _, i := range order(rep.Results) {
		if err := sw.Add(rep.Results[i]); err != nil {
			return err
		}
	}
	return sw.End(rep.Meta, Summarize(rep.Results))
}

// Less orders results as every report lists them: account, Region, type,
// label, ID.
func Less(a, b compliance.Result) int {
	x, y := a.Resource, b.Resource
	return cmp.Or(cmp.Compare(x.Account, y.Account), cmp.Compare(x.Region, y.Region),
		cmp.Compare(x.Type, y.Type), cmp.Compare(x.Label(), y.Label()), cmp.Compare(x.ID, y.ID))
}

// order returns the indexes of results in output order, without copying
// the results.
func order(results []compliance.Result) []int {
	idx := make([]int, len(results))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int { return Less(results[i], results[j]) })
	return idx
}

// arrayWriter writes a JSON array one indented element at a time, laid
// out as encoding/json's SetIndent("", "  ") lays out the whole document.
type arrayWriter struct {
	w      *bufio.Writer
	prefix string // indentation of the elements
	n      int
}

func (a *arrayWriter) add(v any) error {
	b, err := json.MarshalIndent(v, a.prefix, "  ")
	if err != nil {
		return err
	}
	sep := ",\n"
	if a.n == 0 {
		sep = "\n"
	}
	a.n++
	if _, err := a.w.WriteString(sep + a.prefix); err != nil {
		return err
	}
	_, err = a.w.Write(b)
	return err
}

// close ends the array; closing is the indentation of the array itself.
func (a *arrayWriter) close(closing string) error {
	if a.n == 0 {
		_, err := a.w.WriteString("]")
		return err
	}
	_, err := a.w.WriteString("\n" + closing + "]")
	return err
}

// jsonWriter writes one JSON document: {"results": […], "scan": …,
// "summary": …}. Field names are stable; verdicts and reasons are their
// string forms.
type jsonWriter struct {
	w    *bufio.Writer
	head Report
	arr  *arrayWriter
}

func (j *jsonWriter) Begin(head Report) error {
	j.head = head
	j.arr = &arrayWriter{w: j.w, prefix: "    "}
	if _, err := j.w.WriteString("{\n  \"results\": ["); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

func (j *jsonWriter) Add(r compliance.Result) error {
	if err := j.arr.add(toJSONResult(j.head, r)); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

func (j *jsonWriter) End(m Meta, s Summary) error {
	scan := jsonScan{Time: m.ScanTime.UTC().Format(time.RFC3339), Estate: m.Estate, SecurityAccount: m.SecurityAccount,
		Accounts: nonNil(m.Accounts), Regions: nonNil(m.Regions), Errors: nonNil(m.Errors), Version: version(m)}
	head, err := json.MarshalIndent(scan, "  ", "  ")
	if err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	sum, err := json.MarshalIndent(s, "  ", "  ")
	if err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	if err := j.arr.close("  "); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	fmt.Fprintf(j.w, ",\n  \"scan\": %s,\n  \"summary\": %s\n}\n", head, sum)
	if err := j.w.Flush(); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

// WriteJSON writes rep as one JSON document (see jsonWriter).
func WriteJSON(w io.Writer, rep Report) error { return Write(w, FormatJSON, rep, Options{}) }

// WriteASFF writes the findings as a JSON array, the shape
// `aws securityhub batch-import-findings --findings file://…` reads.
func WriteASFF(w io.Writer, rep Report) error { return Write(w, FormatASFF, rep, Options{}) }

// WriteOCSF writes one event per line (JSON Lines), the usual shape for
// OCSF pipelines.
func WriteOCSF(w io.Writer, rep Report) error { return Write(w, FormatOCSF, rep, Options{}) }

// WriteCSV writes a header row and one row per result, RFC 4180: CRLF line
// ends, fields with commas, quotes or line breaks quoted, quotes doubled.
func WriteCSV(w io.Writer, rep Report) error { return Write(w, FormatCSV, rep, Options{}) }

// WriteTable writes the scan header, one aligned row per result, the scan
// errors and the summary. color adds ANSI colours to verdicts; the caller
// decides (a TTY, no NO_COLOR).
func WriteTable(w io.Writer, rep Report, color bool) error {
	return Write(w, FormatTable, rep, Options{Color: color})
}

// asffWriter writes a JSON array of ASFF findings.
type asffWriter struct {
	w    *bufio.Writer
	head Report
	at   string
	arr  *arrayWriter
}

func (a *asffWriter) Begin(head Report) error {
	a.head, a.at = head, head.Meta.ScanTime.UTC().Format(asffTime)
	a.arr = &arrayWriter{w: a.w, prefix: "  "}
	if _, err := a.w.WriteString("["); err != nil {
		return fmt.Errorf("write asff: %w", err)
	}
	return nil
}

func (a *asffWriter) Add(r compliance.Result) error {
	f, err := asffFinding(r, a.at)
	if err != nil {
		return fmt.Errorf("write asff: %w", err)
	}
	addKeyFields(f.ProductFields, r, keyDataOf(a.head, r))
	if err := a.arr.add(f); err != nil {
		return fmt.Errorf("write asff: %w", err)
	}
	return nil
}

func (a *asffWriter) End(Meta, Summary) error {
	if err := a.arr.close(""); err != nil {
		return fmt.Errorf("write asff: %w", err)
	}
	if _, err := a.w.WriteString("\n"); err != nil {
		return fmt.Errorf("write asff: %w", err)
	}
	if err := a.w.Flush(); err != nil {
		return fmt.Errorf("write asff: %w", err)
	}
	return nil
}

// ocsfWriter writes one OCSF event per line.
type ocsfWriter struct {
	w       *bufio.Writer
	enc     *json.Encoder
	ms      int64
	version string
}

func (o *ocsfWriter) Begin(head Report) error {
	o.ms, o.version = head.Meta.ScanTime.UnixMilli(), version(head.Meta)
	return nil
}

func (o *ocsfWriter) Add(r compliance.Result) error {
	if r.Resource.Account == "" || r.Resource.Region == "" {
		return fmt.Errorf("write ocsf: %s %s: %w", r.Resource.Type.ShortName(), r.Resource.Label(), ErrIncompleteResult)
	}
	if err := o.enc.Encode(ocsfFinding(r, o.ms, o.version)); err != nil {
		return fmt.Errorf("write ocsf: %w", err)
	}
	return nil
}

func (o *ocsfWriter) End(Meta, Summary) error {
	if err := o.w.Flush(); err != nil {
		return fmt.Errorf("write ocsf: %w", err)
	}
	return nil
}
