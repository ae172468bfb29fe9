package migrate

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
)

const (
	oldKey = "arn:aws:kms:eu-west-1:111111111111:key/11111111-1111-1111-1111-111111111111"
	newKey = "arn:aws:kms:eu-west-1:111111111111:key/22222222-2222-2222-2222-222222222222"
	role   = "arn:aws:iam::333333333333:role/byok-migration"
)

func result(typ compliance.ResourceType, name string, reason compliance.Reason, key string) compliance.Result {
	return compliance.Result{Resource: compliance.Resource{Type: typ, Name: name, ARN: "arn:" + name, Account: "333333333333",
		Region: "eu-west-1", Encryption: compliance.EncryptionKMS, KeyRef: key}, Verdict: compliance.NonCompliant,
		Reason: reason, KeyARN: key}
}

func TestSelect(t *testing.T) {
	results := []compliance.Result{
		result(compliance.RDSInstance, "db", compliance.ReasonKeySuperseded, oldKey),
		result(compliance.DynamoDBTable, "t", compliance.ReasonAWSManagedKey, "arn:aws:kms:eu-west-1:333333333333:key/aws"),
		result(compliance.S3Bucket, "b", compliance.ReasonCompliant, newKey),
		result(compliance.S3Bucket, "overdue", compliance.ReasonMaterialOverdue, newKey),
		result(compliance.S3Bucket, "plain", compliance.ReasonNotKMS, ""),
	}
	results[4].Resource.Account = "222222222222"
	facts := func(arn string) (compliance.KeyFacts, bool) {
		if arn == oldKey {
			return compliance.KeyFacts{ARN: oldKey, FormerAliases: []string{"alias/prod/rds"}}, true
		}
		return compliance.KeyFacts{}, false
	}
	tests := map[string]struct {
		sel  Selection
		want []string
	}{
		"everything fixable":          {Selection{}, []string{"db", "t", "plain"}},
		"one account":                 {Selection{Account: "222222222222"}, []string{"plain"}},
		"by key ARN":                  {Selection{Key: oldKey}, []string{"db"}},
		"by key ID":                   {Selection{Key: "11111111-1111-1111-1111-111111111111"}, []string{"db"}},
		"by former alias":             {Selection{Key: "alias/prod/rds"}, []string{"db"}},
		"by resource ARN":             {Selection{Resource: "arn:t"}, []string{"t"}},
		"compliant resource selected": {Selection{Resource: "arn:b"}, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, r := range Select(results, tc.sel, facts) {
				got = append(got, r.Resource.Name)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("Select = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDraft(t *testing.T) {
	tests := map[string]struct {
		r        compliance.Result
		target   Target
		method   Method
		downtime Downtime
		cannot   string
	}{
		"rds instance":     {result(compliance.RDSInstance, "db", compliance.ReasonKeySuperseded, oldKey), Target{"prod", newKey, ""}, MethodRDSInstance, DowntimeWritesStopped, ""},
		"aurora cluster":   {result(compliance.RDSCluster, "c", compliance.ReasonAWSManagedKey, oldKey), Target{"prod", newKey, ""}, MethodAuroraCluster, DowntimeWritesStopped, ""},
		"dynamodb table":   {result(compliance.DynamoDBTable, "t", compliance.ReasonNotKMS, ""), Target{"prod", newKey, ""}, MethodDynamoDB, DowntimeOnline, ""},
		"s3 bucket":        {result(compliance.S3Bucket, "b", compliance.ReasonKeyOutsideEstate, oldKey), Target{"prod", newKey, ""}, MethodS3, DowntimeNone, ""},
		"no estate env":    {result(compliance.S3Bucket, "b", compliance.ReasonKeyOutsideEstate, oldKey), Target{Why: "account 999 is no estate environment"}, MethodNone, DowntimeUnknown, "no estate environment"},
		"no target key":    {result(compliance.S3Bucket, "b", compliance.ReasonKeyOutsideEstate, oldKey), Target{Env: "prod"}, MethodNone, DowntimeUnknown, "no target key"},
		"already on it":    {result(compliance.S3Bucket, "b", compliance.ReasonWrongEstateKey, newKey), Target{"prod", newKey, ""}, MethodNone, DowntimeUnknown, "already on the target key"},
		"unknown resource": {result("AWS::EC2::Volume", "v", compliance.ReasonKeySuperseded, oldKey), Target{"prod", newKey, ""}, MethodNone, DowntimeUnknown, "no migration method"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			it := Draft(tc.r, tc.target)
			if it.Method != tc.method || it.Downtime != tc.downtime || !strings.Contains(it.Cannot, tc.cannot) || (tc.cannot == "") != (it.Cannot == "") {
				t.Fatalf("Draft = method %q downtime %q cannot %q; want %q %q %q", it.Method, it.Downtime, it.Cannot, tc.method, tc.downtime, tc.cannot)
			}
			if it.Method != MethodNone && (len(it.Steps) == 0 || !strings.Contains(strings.Join(it.Steps, "\n"), newKey)) {
				t.Fatalf("steps do not name the target key ARN: %v", it.Steps)
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	created := now.Add(-30*24*time.Hour - 5*time.Hour) // the 24-hour window began 5 h ago
	db := Draft(result(compliance.RDSInstance, "db", compliance.ReasonKeySuperseded, oldKey), Target{"prod", newKey, ""})
	cl := Draft(result(compliance.RDSCluster, "c", compliance.ReasonKeySuperseded, oldKey), Target{"prod", newKey, ""})
	tb := Draft(result(compliance.DynamoDBTable, "t", compliance.ReasonKeySuperseded, oldKey), Target{"prod", newKey, ""})
	bk := Draft(result(compliance.S3Bucket, "b", compliance.ReasonKeySuperseded, oldKey), Target{"prod", newKey, ""})
	ok := Facts{Role: role, Status: "available"}
	denied := errors.New("AccessDenied")
	switches := []time.Time{now.Add(-4 * time.Hour), now.Add(-3 * time.Hour), now.Add(-2 * time.Hour), now.Add(-time.Hour)}
	tests := map[string]struct {
		it     Item
		f      Facts
		ready  bool
		check  string      // the check that decides
		status CheckStatus // its status
		cannot string
	}{
		"rds ready":              {db, ok, true, CheckState, CheckPass, ""},
		"rds modifying":          {db, Facts{Role: role, Status: "modifying"}, false, CheckState, CheckFail, ""},
		"rds with read replicas": {db, Facts{Role: role, Status: "available", ReadReplicas: []string{"db-r1"}}, false, CheckState, CheckFail, ""},
		"aurora member":          {db, Facts{Role: role, Status: "available", ClusterID: "c"}, false, "", "", "migrated with its cluster"},
		"role not assumable":     {db, Facts{Role: role, RoleErr: denied, Status: "available"}, false, CheckRole, CheckFail, ""},
		"key skipped after role": {db, Facts{Role: role, RoleErr: denied, Status: "available"}, false, CheckKey, CheckSkipped, ""},
		"key policy lacks acct":  {db, Facts{Role: role, KeyErr: denied, Status: "available"}, false, CheckKey, CheckFail, ""},
		"cluster ready":          {cl, Facts{Role: role, Status: "available", Members: 2}, true, CheckState, CheckPass, ""},
		"table ready":            {tb, Facts{Role: role, Status: "ACTIVE", SSEStatus: "ENABLED", TableCreated: created}, true, CheckSSELimit, CheckPass, ""},
		"table updating":         {tb, Facts{Role: role, Status: "UPDATING", SSEStatus: "UPDATING", TableCreated: created}, false, CheckState, CheckFail, ""},
		"table switch limit":     {tb, Facts{Role: role, Status: "ACTIVE", TableCreated: created, Switches: switches}, false, CheckSSELimit, CheckFail, ""},
		"table trail unreadable": {tb, Facts{Role: role, Status: "ACTIVE", TableCreated: created, SwitchesErr: denied}, false, CheckSSELimit, CheckFail, ""},
		"bucket listed":          {bk, Facts{Role: role, Objects: 3, Bytes: 300}, true, CheckListing, CheckPass, ""},
		"bucket unlistable":      {bk, Facts{Role: role, ListErr: denied}, false, CheckListing, CheckFail, ""},
		"describe failed":        {db, Facts{Role: role, DescribeErr: denied}, false, CheckState, CheckFail, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Evaluate(tc.it, tc.f, now)
			if got.Ready() != tc.ready || !strings.Contains(got.Cannot, tc.cannot) || (tc.cannot == "") != (got.Cannot == "") {
				t.Fatalf("Ready %v cannot %q; want %v %q (checks %+v)", got.Ready(), got.Cannot, tc.ready, tc.cannot, got.Checks)
			}
			if tc.check == "" {
				return
			}
			for _, c := range got.Checks {
				if c.Name == tc.check {
					if c.Status != tc.status {
						t.Fatalf("check %s = %s (%s), want %s", c.Name, c.Status, c.Detail, tc.status)
					}
					return
				}
			}
			t.Fatalf("no check %s in %+v", tc.check, got.Checks)
		})
	}
}

func TestEvaluateDetails(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tb := Draft(result(compliance.DynamoDBTable, "t", compliance.ReasonKeySuperseded, oldKey), Target{"prod", newKey, ""})
	sw := []time.Time{now.Add(-4 * time.Hour), now.Add(-3 * time.Hour), now.Add(-2 * time.Hour), now.Add(-time.Hour)}
	got := Evaluate(tb, Facts{Role: role, Status: "ACTIVE", TableCreated: now.Add(-245 * time.Hour), Switches: sw}, now)
	if got.NextSwitch == nil || !got.NextSwitch.Equal(now.Add(5*time.Hour)) {
		t.Fatalf("NextSwitch = %v, want six hours after the last switch", got.NextSwitch)
	}
	db := Draft(result(compliance.RDSInstance, "db", compliance.ReasonKeySuperseded, oldKey), Target{"prod", newKey, ""})
	got = Evaluate(db, Facts{Role: role, RoleErr: errors.New("AccessDenied"), Status: "available"}, now)
	if d := got.Checks[0].Detail; !strings.Contains(d, role) || !strings.Contains(d, RoleTemplate) {
		t.Fatalf("role failure detail %q names neither the role nor the template", d)
	}
	bk := Draft(result(compliance.S3Bucket, "b", compliance.ReasonKeySuperseded, oldKey), Target{"prod", newKey, ""})
	got = Evaluate(bk, Facts{Role: role, Objects: 2, Bytes: 10}, now)
	if got.Estimate == nil || got.Estimate.Objects != 2 || got.Estimate.Bytes != 10 {
		t.Fatalf("estimate = %+v", got.Estimate)
	}
}
