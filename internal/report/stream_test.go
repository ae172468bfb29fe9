package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"testing"

	"github.com/byok-dev/byok/internal/compliance"
)

// largeReport has n results over accounts and Regions, shuffled against
// output order.
func largeReport(n int) Report {
	rep := testReport()
	rep.Results = nil
	for i := range n {
		id := fmt.Sprintf("bucket-%06d", (i*7919)%n)
		rep.Results = append(rep.Results, compliance.Result{
			Resource: compliance.Resource{Type: compliance.S3Bucket, ID: id, Name: id, ARN: "arn:aws:s3:::" + id,
				Account: fmt.Sprintf("4%011d", i%30), Region: []string{"eu-west-1", "eu-central-1"}[i%2],
				Encryption: compliance.EncryptionKMS, KeyRef: "alias/prod/s3"},
			Verdict: compliance.Compliant, Reason: compliance.ReasonCompliant, Detail: "ok"})
	}
	return rep
}

// chunkWriter records the largest single Write.
type chunkWriter struct {
	buf bytes.Buffer
	max int
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	c.max = max(c.max, len(p))
	return c.buf.Write(p)
}

// TestStreamedFormatsHoldEveryResourceOnce: each machine format of a
// 5,000-result report is valid, names every resource exactly once, and
// reaches the writer in buffer-sized pieces (written as produced, never
// as one document built in memory).
func TestStreamedFormatsHoldEveryResourceOnce(t *testing.T) {
	const n = 5000
	rep := largeReport(n)
	cases := map[string]struct {
		write func(io.Writer, Report) error
		ids   func(*testing.T, []byte) []string
	}{
		"json": {WriteJSON, func(t *testing.T, b []byte) []string {
			var doc struct {
				Results []struct {
					ARN string `json:"resource_arn"`
				} `json:"results"`
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range doc.Results {
				out = append(out, r.ARN)
			}
			return out
		}},
		"asff": {WriteASFF, func(t *testing.T, b []byte) []string {
			var fs []struct {
				Resources []struct {
					ID string `json:"Id"`
				}
			}
			if err := json.Unmarshal(b, &fs); err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, f := range fs {
				out = append(out, f.Resources[0].ID)
			}
			return out
		}},
		"ocsf": {WriteOCSF, func(t *testing.T, b []byte) []string {
			var out []string
			sc := bufio.NewScanner(bytes.NewReader(b))
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				var ev struct {
					Resources []struct {
						UID string `json:"uid"`
					} `json:"resources"`
				}
				if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
					t.Fatal(err)
				}
				out = append(out, ev.Resources[0].UID)
			}
			return out
		}},
		"csv": {WriteCSV, func(t *testing.T, b []byte) []string {
			rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range rows[1:] {
				out = append(out, r[5])
			}
			return out
		}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var w chunkWriter
			if err := c.write(&w, rep); err != nil {
				t.Fatal(err)
			}
			ids := c.ids(t, w.buf.Bytes())
			seen := map[string]int{}
			for _, id := range ids {
				seen[id]++
			}
			if len(ids) != n || len(seen) != n {
				t.Fatalf("%d entries, %d distinct resources; want %d each once", len(ids), len(seen), n)
			}
			if w.max > 64<<10 || w.buf.Len() < 4*w.max {
				t.Fatalf("largest write %d bytes of %d: the output was not streamed", w.max, w.buf.Len())
			}
		})
	}
}
