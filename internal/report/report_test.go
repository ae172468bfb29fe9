package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	cases := map[string]struct {
		in   string
		want Format
		err  error
	}{
		"table": {in: "table", want: FormatTable}, "json upper": {in: "JSON", want: FormatJSON},
		"csv": {in: "csv", want: FormatCSV}, "asff": {in: "asff", want: FormatASFF}, "ocsf": {in: "ocsf", want: FormatOCSF},
		"empty": {in: "", err: ErrUnknownFormat}, "unknown": {in: "xml", err: ErrUnknownFormat},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ParseFormat(tc.in)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("ParseFormat(%q) = %v, %v; want %v, %v", tc.in, got, err, tc.want, tc.err)
			}
			if err != nil && !strings.Contains(err.Error(), "table, json, csv, asff, ocsf") {
				t.Errorf("error %q does not list the valid formats", err)
			}
		})
	}
	if err := Write(&bytes.Buffer{}, FormatUnknown, testReport(), Options{}); !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("Write(FormatUnknown) = %v", err)
	}
}

func TestSummarize(t *testing.T) {
	s := Summarize(testReport().Results)
	want := map[string]int{"COMPLIANT": 1, "NON_COMPLIANT": 1, "INSUFFICIENT_DATA": 1, "NOT_APPLICABLE": 1}
	for k, v := range want {
		if s.ByVerdict[k] != v {
			t.Errorf("ByVerdict[%s] = %d, want %d", k, s.ByVerdict[k], v)
		}
	}
	if s.Total != 4 || s.ByReason["KEY_UNREADABLE"] != 1 || s.ByAccount["333333333333"]["COMPLIANT"] != 1 ||
		s.ByAccount["222222222222"]["NOT_APPLICABLE"] != 1 || !s.NonCompliant() {
		t.Fatalf("summary %+v", s)
	}
	if Summarize(testReport().Results[1:2]).NonCompliant() {
		t.Fatal("a compliant-only scan reports non-compliance")
	}
}

const wantTable = "byok scan at 2026-03-01T11:00:00Z, estate byok.yaml, Security account 111111111111\n" +
	"accounts: 222222222222, 333333333333; regions: eu-west-1\n" +
	"\n" +
	"VERDICT            REASON                              ACCOUNT       REGION     TYPE            RESOURCE    DETAIL\n" +
	"INSUFFICIENT_DATA  KEY_UNREADABLE                      222222222222  eu-west-1  dynamodb-table  t,1?x?[31m  facts of key k2 could not be read: ThrottlingException\n" +
	"NOT_APPLICABLE     RESOURCE_DELETED                    222222222222  eu-west-1  rds-cluster     aurora      rds-cluster aurora no longer exists\n" +
	"COMPLIANT          KEY_COMPLIANT                       333333333333  eu-west-1  rds-instance    orders      current key material of alias/prod/rds is 10 days old, max 365 days\n" +
	"NON_COMPLIANT      ALIAS_RESOLVES_IN_RESOURCE_ACCOUNT  333333333333  eu-west-1  s3-bucket       logs        bare alias alias/prod/s3 resolves in \"333333333333\", not the Security account\n" +
	"\n" +
	"Scan errors (1): these accounts/regions are incomplete\n" +
	"  222222222222 eu-west-1 rds: AccessDenied: not authorized\n" +
	"\n" +
	"Summary: 4 resources\n" +
	"  COMPLIANT          1\n" +
	"  NON_COMPLIANT      1\n" +
	"  NOT_APPLICABLE     1\n" +
	"  INSUFFICIENT_DATA  1\n" +
	"  EXEMPTED           0\n" +
	"By reason:\n" +
	"  RESOURCE_DELETED                    1\n" +
	"  ALIAS_RESOLVES_IN_RESOURCE_ACCOUNT  1\n" +
	"  KEY_UNREADABLE                      1\n" +
	"  KEY_COMPLIANT                       1\n" +
	"By account:\n" +
	"  ACCOUNT       COMPLIANT  NON_COMPLIANT  NOT_APPLICABLE  INSUFFICIENT_DATA  EXEMPTED\n" +
	"  222222222222  0          0              1               1                  0\n" +
	"  333333333333  1          1              0               0                  0\n"

func TestTableGolden(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, FormatTable, testReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	if b.String() != wantTable {
		t.Fatalf("table differs:\n--- got\n%s--- want\n%s", b.String(), wantTable)
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestTableColour(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, testReport(), true); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "\x1b[31mNON_COMPLIANT\x1b[0m") || !strings.Contains(out, "\x1b[32mCOMPLIANT\x1b[0m") {
		t.Fatalf("verdicts not coloured:\n%q", out)
	}
	if got := ansi.ReplaceAllString(out, ""); got != wantTable {
		t.Fatalf("colour changed the layout:\n%s", got)
	}
}

const wantCSV = "account,region,resource_type,resource_id,resource_name,resource_arn,encryption,key_ref,key_arn,verdict,reason,detail,alias,material_id,material_age_days,valid_to,severity,fix,exception_resource,exception_reason,exception_approver,exception_expires\r\n" +
	"222222222222,eu-west-1,AWS::DynamoDB::Table,\"t,1\",\"t,1\r\nx\x1b[31m\",arn:aws:dynamodb:eu-west-1:222222222222:table/t,KMS,arn:aws:kms:eu-west-1:111111111111:key/k2,arn:aws:kms:eu-west-1:111111111111:key/k2,INSUFFICIENT_DATA,KEY_UNREADABLE,facts of key k2 could not be read: ThrottlingException,,,,,LOW,\"grant the operator/verify role read access (DescribeKey, ListKeyRotations, the service's Describe call) and scan again\",,,,\r\n" +
	"222222222222,eu-west-1,AWS::RDS::DBCluster,cluster-XYZ,aurora,arn:aws:rds:eu-west-1:222222222222:cluster:aurora,UNKNOWN,,,NOT_APPLICABLE,RESOURCE_DELETED,rds-cluster aurora no longer exists,,,,,INFORMATIONAL,,,,,\r\n" +
	"333333333333,eu-west-1,AWS::RDS::DBInstance,db-ABC,orders,arn:aws:rds:eu-west-1:333333333333:db:orders,KMS,arn:aws:kms:eu-west-1:111111111111:key/k1,arn:aws:kms:eu-west-1:111111111111:key/k1,COMPLIANT,KEY_COMPLIANT,\"current key material of alias/prod/rds is 10 days old, max 365 days\",alias/prod/rds,m1,10,2027-03-01T00:00:00Z,INFORMATIONAL,,,,,\r\n" +
	"333333333333,eu-west-1,AWS::S3::Bucket,logs,logs,arn:aws:s3:::logs,KMS,alias/prod/s3,,NON_COMPLIANT,ALIAS_RESOLVES_IN_RESOURCE_ACCOUNT,\"bare alias alias/prod/s3 resolves in \"\"333333333333\"\", not the Security account\",,,,,HIGH,\"name the key by its key ARN or alias ARN in the Security account, not a bare alias\",,,,\r\n"

func TestCSVGolden(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, FormatCSV, testReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	if b.String() != wantCSV {
		t.Fatalf("csv differs:\n--- got\n%q\n--- want\n%q", b.String(), wantCSV)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatalf("csv does not read back: %v", err)
	}
	if len(rows) != 5 || rows[1][4] != "t,1\nx\x1b[31m" || rows[4][11] != testReport().Results[0].Detail {
		t.Fatalf("csv round trip lost text: %q", rows)
	}
}

func TestJSON(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, FormatJSON, testReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Scan    map[string]any   `json:"scan"`
		Summary Summary          `json:"summary"`
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Scan["time"] != "2026-03-01T11:00:00Z" || doc.Scan["version"] != "1.2.3" || doc.Summary.Total != 4 {
		t.Fatalf("scan/summary: %v %+v", doc.Scan, doc.Summary)
	}
	last := doc.Results[3]
	for k, want := range map[string]any{"verdict": "NON_COMPLIANT", "reason": "ALIAS_RESOLVES_IN_RESOURCE_ACCOUNT",
		"resource_type": "AWS::S3::Bucket", "encryption": "KMS", "key_ref": "alias/prod/s3", "account": "333333333333"} {
		if last[k] != want {
			t.Errorf("results[3][%q] = %v, want %v", k, last[k], want)
		}
	}
	var empty bytes.Buffer
	if err := WriteJSON(&empty, Report{}); err != nil || !strings.Contains(empty.String(), `"results": []`) {
		t.Fatalf("empty report: %v %s", err, empty.String())
	}
}

func TestIncompleteResultRejected(t *testing.T) {
	rep := testReport()
	rep.Results[0].Resource.Region = ""
	for _, f := range []Format{FormatASFF, FormatOCSF} {
		if err := Write(&bytes.Buffer{}, f, rep, Options{}); !errors.Is(err, ErrIncompleteResult) {
			t.Errorf("%v: err = %v, want ErrIncompleteResult", f, err)
		}
	}
}
