package s3controlsvc

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

// reportManifest is the top-level manifest.json of a completion report.
type reportManifest struct {
	Format             string         `json:"Format"`
	ReportCreationDate string         `json:"ReportCreationDate"`
	Results            []reportResult `json:"Results"`
	ReportSchema       string         `json:"ReportSchema"`
}

type reportResult struct {
	TaskExecutionStatus string `json:"TaskExecutionStatus"`
	Bucket              string `json:"Bucket"`
	MD5Checksum         string `json:"MD5Checksum"`
	Key                 string `json:"Key"`
}

// ReportSchema is the column list of every results CSV.
const ReportSchema = "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"

// writeReport writes {prefix}/job-{id}/results/{sha1}.csv per outcome
// (succeeded ones only for AllTasks) and manifest.json naming them, when
// the job asked for a report and at least one task ran. Rows are written
// as S3 writes them: bucket, URL-encoded key, version, status, the HTTP
// status in the error-code column, the error code, and the message.
func (s *Service) writeReport(j *job, tasks []Task, results []taskResult) *awsproto.Error {
	r := j.Req.Report
	if !r.Enabled || !anyRan(results) {
		return nil
	}
	bucket := bucketARN.FindStringSubmatch(r.Bucket)[1]
	base := "job-" + j.ID
	if r.Prefix != "" {
		base = strings.TrimSuffix(r.Prefix, "/") + "/" + base
	}
	m := reportManifest{Format: "Report_CSV_20180820", ReportCreationDate: isoTime(s.env.Clock.Now()), ReportSchema: ReportSchema, Results: []reportResult{}}
	for _, status := range []string{"succeeded", "failed"} {
		if status == "succeeded" && r.ReportScope == "FailedTasksOnly" {
			continue
		}
		body := reportCSV(tasks, results, status == "failed")
		if len(body) == 0 {
			continue
		}
		sum, name := md5.Sum(body), sha1.Sum(append([]byte(j.ID+status), body...))
		key := base + "/results/" + hex.EncodeToString(name[:]) + ".csv"
		if err := s.s3.WriteReport(s.roleCall(j, bucket), bucket, key, "text/csv", body); err != nil {
			return err
		}
		m.Results = append(m.Results, reportResult{TaskExecutionStatus: status, Bucket: bucket, MD5Checksum: hex.EncodeToString(sum[:]), Key: key})
	}
	raw, _ := json.Marshal(m)
	return s.s3.WriteReport(s.roleCall(j, bucket), bucket, base+"/manifest.json", "application/json", raw)
}

func anyRan(results []taskResult) bool {
	for _, r := range results {
		if r.ran {
			return true
		}
	}
	return false
}

func reportCSV(tasks []Task, results []taskResult, failed bool) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for i, r := range results {
		if !r.ran || (r.code != "") != failed {
			continue
		}
		status, msg := "succeeded", "Successful"
		if failed {
			status, msg = "failed", r.message
		}
		t := tasks[i]
		_ = w.Write([]string{t.Bucket, url.QueryEscape(t.Key), t.VersionID, status, strconv.Itoa(r.httpStatus), r.code, msg})
	}
	w.Flush()
	return buf.Bytes()
}
