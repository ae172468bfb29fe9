package demo

import (
	"testing"

	"github.com/byok-dev/byok/internal/compliance"
)

func TestClassify(t *testing.T) {
	const retired = "arn:aws:kms:eu-west-1:111111111111:key/old"
	tests := map[string]struct {
		f    Finding
		want string
	}{
		"rds on the retired key":           {Finding{Type: "rds-instance", Reason: string(compliance.ReasonKeySuperseded), KeyARN: retired}, LeftRetiredKey},
		"bucket on the second retired key": {Finding{Type: "s3-bucket", Reason: string(compliance.ReasonKeySuperseded), KeyARN: retired + "-s3"}, LeftRetiredKey},
		"superseded, another key":          {Finding{Type: "rds-cluster", Reason: string(compliance.ReasonKeySuperseded), KeyARN: retired + "2"}, LeftUnexpected},
		"still overdue":                    {Finding{Type: "s3-bucket", Reason: string(compliance.ReasonMaterialOverdue), KeyARN: retired}, LeftUnexpected},
		"older material still expiring":    {Finding{Type: "dynamodb-table", Reason: string(compliance.ReasonMaterialExpiring)}, LeftExpiring},
		"AWS-managed key: not a rotation":  {Finding{Type: "s3-bucket", Reason: string(compliance.ReasonAWSManagedKey)}, LeftNotKeyAge},
		"unencrypted: not a rotation":      {Finding{Type: "rds-instance", Reason: string(compliance.ReasonUnencrypted)}, LeftNotKeyAge},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := classify(Snapshot{NonCompliant: []Finding{tc.f}}, []string{retired, retired + "-s3"})
			if len(got) != 1 || got[0].Class != tc.want {
				t.Fatalf("classify(%+v) = %+v, want class %s", tc.f, got, tc.want)
			}
			if got[0].Fix == "" {
				t.Errorf("no fix given for %s", name)
			}
		})
	}
}

func TestClassifyNoRetiredKey(t *testing.T) {
	got := classify(Snapshot{NonCompliant: []Finding{{Reason: string(compliance.ReasonKeySuperseded)}}}, nil)
	if got[0].Class != LeftUnexpected {
		t.Fatalf("a superseded key without a new-key run must be unexpected, got %s", got[0].Class)
	}
}
