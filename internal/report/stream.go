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

// The machine formats are written as they are produced: one result is
// converted, encoded and handed to a buffered writer at a time, in output
// order, so a 300,000-resource report never exists a second time in
// memory as findings or as one encoded document. Only the order (an index
// per result) is built up front.

// order returns the indexes of results in output order (account, Region,
// type, label, ID), without copying the results.
func order(results []compliance.Result) []int {
	idx := make([]int, len(results))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int {
		x, y := results[i].Resource, results[j].Resource
		return cmp.Or(cmp.Compare(x.Account, y.Account), cmp.Compare(x.Region, y.Region),
			cmp.Compare(x.Type, y.Type), cmp.Compare(x.Label(), y.Label()), cmp.Compare(x.ID, y.ID))
	})
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

// WriteJSON writes one JSON document: {"scan": …, "summary": …, "results": […]}.
// Field names are stable; verdicts and reasons are their string forms.
func WriteJSON(w io.Writer, rep Report) error {
	m := rep.Meta
	bw := bufio.NewWriterSize(w, 64<<10)
	scan := jsonScan{Time: m.ScanTime.UTC().Format(time.RFC3339), Estate: m.Estate, SecurityAccount: m.SecurityAccount,
		Accounts: nonNil(m.Accounts), Regions: nonNil(m.Regions), Errors: nonNil(m.Errors), Version: version(m)}
	head, err := json.MarshalIndent(scan, "  ", "  ")
	if err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	sum, err := json.MarshalIndent(Summarize(rep.Results), "  ", "  ")
	if err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	fmt.Fprintf(bw, "{\n  \"scan\": %s,\n  \"summary\": %s,\n  \"results\": [", head, sum)
	arr := &arrayWriter{w: bw, prefix: "    "}
	for _, i := range order(rep.Results) {
		if err := arr.add(toJSONResult(rep, rep.Results[i])); err != nil {
			return fmt.Errorf("write json report: %w", err)
		}
	}
	if err := arr.close("  "); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	if _, err := bw.WriteString("\n}\n"); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

// WriteASFF writes the findings as a JSON array, the shape
// `aws securityhub batch-import-findings --findings file://…` reads.
func WriteASFF(w io.Writer, rep Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	at := rep.Meta.ScanTime.UTC().Format(asffTime)
	if _, err := bw.WriteString("["); err != nil {
		return fmt.Errorf("write asff: %w", err)
	}
	arr := &arrayWriter{w: bw, prefix: "  "}
	for _, i := range order(rep.Results) {
		r := rep.Results[i]
		f, err := asffFinding(r, at)
		if err != nil {
			return fmt.Errorf("write asff: %w", err)
		}
		addKeyFields(f.ProductFields, r, keyDataOf(rep, r))
		if err := arr.add(f); err != nil {
			return fmt.Errorf("write asff: %w", err)
		}
	}
	if err := arr.close(""); err != nil {
		return fmt.Errorf("write asff: %w", err)
	}
	if _, err := bw.WriteString("\n"); err != nil {
		return fmt.Errorf("write asff: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write asff: %w", err)
	}
	return nil
}

// WriteOCSF writes one event per line (JSON Lines), the usual shape for
// OCSF pipelines.
func WriteOCSF(w io.Writer, rep Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	ms, ver := rep.Meta.ScanTime.UnixMilli(), version(rep.Meta)
	for _, i := range order(rep.Results) {
		r := rep.Results[i]
		if r.Resource.Account == "" || r.Resource.Region == "" {
			return fmt.Errorf("write ocsf: %s %s: %w", r.Resource.Type.ShortName(), r.Resource.Label(), ErrIncompleteResult)
		}
		if err := enc.Encode(ocsfFinding(r, ms, ver)); err != nil {
			return fmt.Errorf("write ocsf: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write ocsf: %w", err)
	}
	return nil
}
