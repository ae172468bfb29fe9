package s3batch

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Failure is one failed task of a completion report.
type Failure struct {
	Bucket, Key, VersionID string
	HTTPStatus             int
	Code, Message          string
}

// MaxFailures bounds the failures a report returns (the count is exact).
const MaxFailures = 1000

// Report is what a completion report says.
type Report struct {
	Succeeded, Failed int64
	Failures          []Failure
}

// ErrReport is a completion report that cannot be read.
var ErrReport = errors.New("unreadable completion report")

type reportManifest struct {
	Format  string `json:"Format"`
	Results []struct {
		TaskExecutionStatus, Bucket, Key string
	} `json:"Results"`
}

// ReadReport reads {prefix}/job-{id}/manifest.json in bucket and counts
// the rows of each results file, keeping the failed ones.
func ReadReport(ctx context.Context, c S3, bucket, prefix, jobID string) (Report, error) {
	base := "job-" + jobID
	if prefix != "" {
		base = strings.TrimSuffix(prefix, "/") + "/" + base
	}
	var m reportManifest
	if err := getJSON(ctx, c, bucket, base+"/manifest.json", &m); err != nil {
		return Report{}, err
	}
	if m.Format != "Report_CSV_20180820" {
		return Report{}, fmt.Errorf("%w: format %q", ErrReport, m.Format)
	}
	var rep Report
	for _, r := range m.Results {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(r.Bucket), Key: aws.String(r.Key)})
		if err != nil {
			return rep, fmt.Errorf("GetObject %s/%s: %w", r.Bucket, r.Key, err)
		}
		err = ParseReport(out.Body, func(f Failure, ok bool) {
			if ok {
				rep.Succeeded++
				return
			}
			rep.Failed++
			if len(rep.Failures) < MaxFailures {
				rep.Failures = append(rep.Failures, f)
			}
		})
		_ = out.Body.Close()
		if err != nil {
			return rep, fmt.Errorf("%s/%s: %w", r.Bucket, r.Key, err)
		}
	}
	return rep, nil
}

func getJSON(ctx context.Context, c S3, bucket, key string, v any) error {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("GetObject %s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	if err := json.NewDecoder(io.LimitReader(out.Body, 1<<20)).Decode(v); err != nil {
		return fmt.Errorf("%w: %s/%s: %v", ErrReport, bucket, key, err)
	}
	return nil
}

// ParseReport streams a results CSV (Bucket, Key, VersionId, TaskStatus,
// then S3 writes the HTTP status and the error code, and ResultMessage),
// calling row for each task with ok for "succeeded".
func ParseReport(r io.Reader, row func(f Failure, ok bool)) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrReport, err)
		}
		if len(rec) < 4 {
			return fmt.Errorf("%w: line %d has %d columns, want 7", ErrReport, line, len(rec))
		}
		key, err := url.QueryUnescape(rec[1])
		if err != nil {
			return fmt.Errorf("%w: line %d: key %q is not URL-encoded", ErrReport, line, rec[1])
		}
		f := Failure{Bucket: rec[0], Key: key, VersionID: rec[2]}
		f.HTTPStatus, f.Code, f.Message = statusColumns(rec[4:])
		switch rec[3] {
		case "succeeded":
			row(f, true)
		case "failed":
			row(f, false)
		default:
			return fmt.Errorf("%w: line %d: task status %q", ErrReport, line, rec[3])
		}
	}
}

// statusColumns reads what follows TaskStatus. The documented schema says
// ErrorCode then HTTPStatusCode; S3 writes the HTTP status first. Either
// order is accepted: the numeric column is the status.
func statusColumns(cols []string) (status int, code, msg string) {
	if len(cols) > 2 {
		msg = cols[2]
	}
	for _, c := range cols[:min(2, len(cols))] {
		if n, err := strconv.Atoi(c); err == nil && n >= 100 && n <= 599 && status == 0 {
			status = n
		} else if code == "" {
			code = c
		}
	}
	return status, code, msg
}
