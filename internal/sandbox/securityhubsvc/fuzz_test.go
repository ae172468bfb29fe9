package securityhubsvc

import (
	"strings"
	"testing"
)

const seedFinding = `{"SchemaVersion":"2018-10-08","Id":"f","ProductArn":"arn:aws:securityhub:eu-west-1:222222222222:product/222222222222/default",` +
	`"GeneratorId":"g","AwsAccountId":"222222222222","Types":["A/B"],"CreatedAt":"2026-03-01T12:00:00Z","UpdatedAt":"2026-03-01T12:00:00Z",` +
	`"Severity":{"Label":"HIGH"},"Title":"t","Description":"d","Resources":[{"Type":"AwsS3Bucket","Id":"arn:aws:s3:::b"}],` +
	`"Compliance":{"Status":"FAILED"},"Workflow":{"Status":"NEW"},"RecordState":"ACTIVE"}`

// FuzzRequests: no request body makes a decoder panic; a finding the
// validator accepts has every required attribute as a string, and a
// rejected one gets a message in AWS's wording.
func FuzzRequests(f *testing.F) {
	f.Add(`{"Findings":[` + seedFinding + `]}`)
	f.Add(`{"Findings":[{"Id":1},[],null,"x"]}`)
	f.Add(`{"Filters":{"Id":[{"Value":"f","Comparison":"EQUALS"}]},"MaxResults":2,"NextToken":"c2h1Yjox"}`)
	f.Add(`{"FindingIdentifiers":[{"Id":"f","ProductArn":"p"}],"Workflow":{"Status":"RESOLVED"},"Note":{"Text":"t","UpdatedBy":"u"}}`)
	f.Add(`{"Findings":[{"Resources":[{}],"Types":["a/b/c/d"],"Severity":{"Label":"NOPE"}}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		if raws, err := decodeImport([]byte(body)); err == nil {
			for _, raw := range raws {
				doc, _, verr := parseFinding(raw)
				if verr != nil {
					if !strings.HasPrefix(verr.Error(), asffPrefix) && !strings.HasPrefix(verr.Error(), "Finding size") {
						t.Fatalf("message %q not in AWS's wording", verr)
					}
					continue
				}
				for _, l := range stringLimits {
					if _, ok := doc[l.name].(string); !ok {
						t.Fatalf("accepted finding without string %s: %s", l.name, raw)
					}
				}
			}
		}
		if in, start, limit, err := decodeGet([]byte(body)); err == nil {
			if start < 0 || limit < 1 || limit > 100 {
				t.Fatalf("get %+v: start %d limit %d", in, start, limit)
			}
		}
		_, _ = decodeUpdate([]byte(body))
	})
}
