package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// asffRequired is the list of required top-level ASFF attributes
// (Security Hub user guide, "Required top-level ASFF attributes").
var asffRequired = []string{"AwsAccountId", "CreatedAt", "Description", "GeneratorId", "Id", "ProductArn",
	"Resources", "SchemaVersion", "Severity", "Title", "Types", "UpdatedAt"}

var (
	asffSeverities = []string{"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
	asffStatuses   = []string{"PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"}
	asffWorkflow   = []string{"NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"}
	asffRecord     = []string{"ACTIVE", "ARCHIVED"}
	asffResTypes   = []string{"AwsRdsDbInstance", "AwsRdsDbCluster", "AwsDynamoDbTable", "AwsS3Bucket"}
	asffNamespaces = []string{"Software and Configuration Checks", "TTPs", "Effects", "Unusual Behaviors", "Sensitive Data Identifications"}
	productArnRE   = regexp.MustCompile(`^arn:aws(-[a-z]+)*:securityhub:[a-z0-9-]+:([0-9]{12}):product/([0-9]{12})/default$`)
)

func str(t *testing.T, m map[string]any, key string) string {
	t.Helper()
	s, ok := m[key].(string)
	if !ok || s == "" {
		t.Fatalf("%s is %v, want a non-empty string", key, m[key])
	}
	return s
}

func obj(t *testing.T, m map[string]any, key string) map[string]any {
	t.Helper()
	o, ok := m[key].(map[string]any)
	if !ok {
		t.Fatalf("%s is %v, want an object", key, m[key])
	}
	return o
}

func TestASFFRequiredFields(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, FormatASFF, testReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	var findings []map[string]any
	if err := json.Unmarshal(b.Bytes(), &findings); err != nil {
		t.Fatal(err)
	}
	if len(findings) != 4 {
		t.Fatalf("%d findings, want 4", len(findings))
	}
	ids := map[string]bool{}
	for _, f := range findings {
		for _, k := range asffRequired {
			if _, ok := f[k]; !ok {
				t.Errorf("finding %v lacks required %s", f["Id"], k)
			}
		}
		checkASFF(t, f)
		ids[str(t, f, "Id")] = true
	}
	if len(ids) != 4 {
		t.Fatalf("finding Ids are not unique: %v", ids)
	}
}

func checkASFF(t *testing.T, f map[string]any) {
	t.Helper()
	acct := str(t, f, "AwsAccountId")
	if str(t, f, "SchemaVersion") != "2018-10-08" {
		t.Errorf("SchemaVersion %v", f["SchemaVersion"])
	}
	m := productArnRE.FindStringSubmatch(str(t, f, "ProductArn"))
	if m == nil || m[2] != acct || m[3] != acct {
		t.Errorf("ProductArn %v does not name account %s", f["ProductArn"], acct)
	}
	for _, k := range []string{"CreatedAt", "UpdatedAt"} {
		if ts, err := time.Parse(time.RFC3339, str(t, f, k)); err != nil || !ts.Equal(scanTime) {
			t.Errorf("%s = %v (%v), want the scan time", k, f[k], err)
		}
	}
	if n := utf8.RuneCountInString(str(t, f, "Title")); n > 256 {
		t.Errorf("Title of %d chars", n)
	}
	if n := utf8.RuneCountInString(str(t, f, "Description")); n > 1024 {
		t.Errorf("Description of %d chars", n)
	}
	if n := len(str(t, f, "Id")); n > 512 {
		t.Errorf("Id of %d chars", n)
	}
	str(t, f, "GeneratorId")
	types, _ := f["Types"].([]any)
	for _, ty := range types {
		parts := strings.Split(ty.(string), "/")
		if len(parts) < 1 || len(parts) > 3 || !slices.Contains(asffNamespaces, parts[0]) {
			t.Errorf("Type %q is not namespace/category/classifier", ty)
		}
	}
	if len(types) == 0 {
		t.Error("no Types")
	}
	checkEnum(t, "Severity.Label", str(t, obj(t, f, "Severity"), "Label"), asffSeverities)
	checkEnum(t, "Compliance.Status", str(t, obj(t, f, "Compliance"), "Status"), asffStatuses)
	checkEnum(t, "Workflow.Status", str(t, obj(t, f, "Workflow"), "Status"), asffWorkflow)
	checkEnum(t, "RecordState", str(t, f, "RecordState"), asffRecord)
	res, _ := f["Resources"].([]any)
	if len(res) != 1 {
		t.Fatalf("Resources %v", f["Resources"])
	}
	r := res[0].(map[string]any)
	checkEnum(t, "Resources[0].Type", str(t, r, "Type"), asffResTypes)
	checkEnum(t, "Resources[0].Partition", str(t, r, "Partition"), []string{"aws", "aws-cn", "aws-us-gov"})
	str(t, r, "Id")
	str(t, r, "Region")
}

func checkEnum(t *testing.T, field, got string, valid []string) {
	t.Helper()
	if !slices.Contains(valid, got) {
		t.Errorf("%s = %q, want one of %v", field, got, valid)
	}
}

func TestASFFMapping(t *testing.T) {
	findings, err := ASFFFindings(testReport())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][3]string{ // resource type → compliance, severity, record state
		"AwsDynamoDbTable": {"WARNING", "LOW", "ACTIVE"},
		"AwsRdsDbCluster":  {"NOT_AVAILABLE", "INFORMATIONAL", "ARCHIVED"},
		"AwsRdsDbInstance": {"PASSED", "INFORMATIONAL", "ACTIVE"},
		"AwsS3Bucket":      {"FAILED", "HIGH", "ACTIVE"},
	}
	for _, f := range findings {
		w := want[f.Resources[0].Type]
		if got := [3]string{f.Compliance.Status, f.Severity.Label, f.RecordState}; got != w {
			t.Errorf("%s: got %v, want %v", f.Resources[0].Type, got, w)
		}
	}
}

// ocsfRequired lists the attributes OCSF 1.3.0 requires of a Compliance
// Finding (class 2003) with the cloud profile, as dotted paths.
var ocsfRequired = []string{"activity_id", "category_uid", "class_uid", "type_uid", "time", "severity_id",
	"metadata.version", "metadata.product.vendor_name", "finding_info.uid", "finding_info.title",
	"compliance.standards", "cloud.provider"}

func lookup(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		o, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = o[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func TestOCSFRequiredFields(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, FormatOCSF, testReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&b)
	n := 0
	for sc.Scan() {
		n++
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		for _, p := range ocsfRequired {
			if v, ok := lookup(ev, p); !ok || v == "" || v == nil {
				t.Errorf("event %d lacks required %s", n, p)
			}
		}
		checkOCSF(t, ev)
	}
	if n != 4 {
		t.Fatalf("%d events, want 4", n)
	}
}

func num(t *testing.T, ev map[string]any, path string) int64 {
	t.Helper()
	v, _ := lookup(ev, path)
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("%s = %v, want a number", path, v)
	}
	return int64(f)
}

func checkOCSF(t *testing.T, ev map[string]any) {
	t.Helper()
	class, act := num(t, ev, "class_uid"), num(t, ev, "activity_id")
	if class != 2003 || num(t, ev, "category_uid") != 2 || act != 1 || num(t, ev, "type_uid") != class*100+act {
		t.Errorf("classification %v/%v/%v/%v", ev["class_uid"], ev["category_uid"], ev["activity_id"], ev["type_uid"])
	}
	if num(t, ev, "time") != scanTime.UnixMilli() || num(t, ev, "finding_info.created_time") != scanTime.UnixMilli() {
		t.Errorf("time %v, want %d ms", ev["time"], scanTime.UnixMilli())
	}
	inInts(t, "severity_id", num(t, ev, "severity_id"), 0, 1, 2, 3, 4, 5, 6, 99)
	inInts(t, "status_id", num(t, ev, "status_id"), 0, 1, 2, 3, 4, 99)
	inInts(t, "compliance.status_id", num(t, ev, "compliance.status_id"), 0, 1, 2, 3, 99)
	inInts(t, "cloud.account.type_id", num(t, ev, "cloud.account.type_id"), 10)
	if v, _ := lookup(ev, "cloud.provider"); v != "AWS" {
		t.Errorf("cloud.provider %v", v)
	}
	if v, _ := lookup(ev, "compliance.standards"); v == nil || len(v.([]any)) == 0 {
		t.Errorf("compliance.standards %v", v)
	}
	res, _ := ev["resources"].([]any)
	if len(res) != 1 || res[0].(map[string]any)["uid"] == "" {
		t.Errorf("resources %v", ev["resources"])
	}
}

func inInts(t *testing.T, field string, got int64, valid ...int64) {
	t.Helper()
	if !slices.Contains(valid, got) {
		t.Errorf("%s = %d, want one of %v", field, got, valid)
	}
}

func TestOCSFStatusMapping(t *testing.T) {
	events, err := OCSFFindings(testReport())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int{ // resource type → compliance.status_id, severity_id
		"AWS::DynamoDB::Table": {2, 2}, "AWS::RDS::DBCluster": {99, 1},
		"AWS::RDS::DBInstance": {1, 1}, "AWS::S3::Bucket": {3, 4},
	}
	for _, e := range events {
		w := want[e.Resources[0].Type]
		if got := [2]int{e.Compliance.StatusID, e.SeverityID}; got != w {
			t.Errorf("%s: got %v, want %v", e.Resources[0].Type, got, w)
		}
	}
}
