package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
)

func exemptReport(v compliance.Verdict) Report {
	x := &estate.Exception{Pattern: "arn:aws:s3:::legacy-*", Reason: "vendor appliance", Approver: "jane",
		Expires: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), Finding: "UNENCRYPTED"}
	return Report{Meta: Meta{ScanTime: scanTime}, Results: []compliance.Result{{
		Resource: compliance.Resource{Type: compliance.S3Bucket, ID: "legacy-1", Name: "legacy-1", ARN: "arn:aws:s3:::legacy-1",
			Account: "333333333333", Region: "eu-west-1", Encryption: compliance.EncryptionNone},
		Verdict: v, Reason: compliance.ReasonUnencrypted, Detail: "exempted", Exception: x,
	}}}
}

// An exempted result is counted apart, never as COMPLIANT, and every
// machine format carries its exception as fields.
func TestExemptedInEveryFormat(t *testing.T) {
	rep := exemptReport(compliance.Exempted)
	s := Summarize(rep.Results)
	if s.ByVerdict["EXEMPTED"] != 1 || s.ByVerdict["COMPLIANT"] != 0 || s.NonCompliant() {
		t.Fatalf("summary %+v", s)
	}
	var js struct {
		Results []struct {
			Verdict   string
			Exception exceptionData
		}
	}
	decode(t, FormatJSON, rep, &js)
	want := exceptionData{Resource: "arn:aws:s3:::legacy-*", Reason: "vendor appliance", Approver: "jane", Expires: "2026-03-31", Finding: "UNENCRYPTED"}
	if js.Results[0].Verdict != "EXEMPTED" || js.Results[0].Exception != want {
		t.Fatalf("json result %+v", js.Results[0])
	}
	var asff []ASFFFinding
	decode(t, FormatASFF, rep, &asff)
	f := asff[0]
	if f.Compliance.Status != "FAILED" || f.Workflow.Status != "SUPPRESSED" || f.RecordState != "ARCHIVED" ||
		f.ProductFields["byok/ExceptionApprover"] != "jane" || f.ProductFields["byok/ExceptionExpires"] != "2026-03-31" {
		t.Fatalf("asff %+v", f)
	}
	var ocsf OCSFFinding
	decode(t, FormatOCSF, rep, &ocsf)
	if ocsf.Status != "Suppressed" || ocsf.Compliance.Status != "Fail" || ocsf.Unmapped == nil || *ocsf.Unmapped.Exception != want {
		t.Fatalf("ocsf %+v", ocsf)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, rep); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := rows[1][len(rows[1])-4:]
	if rows[1][9] != "EXEMPTED" || got[0] != want.Resource || got[2] != "jane" || got[3] != "2026-03-31" {
		t.Fatalf("csv row %q", rows[1])
	}
}

func TestExpiredExceptionMarked(t *testing.T) {
	var js struct {
		Results []struct{ Exception exceptionData }
	}
	decode(t, FormatJSON, exemptReport(compliance.NonCompliant), &js)
	if !js.Results[0].Exception.Expired {
		t.Fatalf("expired exception not marked: %+v", js.Results[0])
	}
}

func decode(t *testing.T, f Format, rep Report, v any) {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, f, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b.Bytes(), v); err != nil {
		t.Fatalf("%s: %v\n%s", f, err, b.String())
	}
}
