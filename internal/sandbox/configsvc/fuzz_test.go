package configsvc_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/configsvc"
)

// TestAdminEvents drives POST /_byok/config/events over HTTP.
func TestAdminEvents(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	cases := map[string]struct {
		body   string
		status int
		n      int
	}{
		"scheduled":   {`{"account":"222222222222","region":"eu-west-1","ruleName":"r","messageType":"scheduled"}`, 200, 1},
		"oversized":   {`{"account":"222222222222","region":"eu-west-1","ruleName":"r","messageType":"oversized","resourceType":"AWS::S3::Bucket","resourceId":"dev-assets"}`, 200, 1},
		"bad type":    {`{"account":"222222222222","region":"eu-west-1","ruleName":"r","messageType":"periodic"}`, 400, 0},
		"unknown key": {`{"account":"222222222222","region":"eu-west-1","ruleName":"r","messageType":"change","bogus":1}`, 400, 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/_byok/config/events", strings.NewReader(tc.body))
			req.Header.Set(sandbox.AdminTokenHeader, e.srv.AdminToken())
			e.srv.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
			var out configsvc.EventsResponse
			_ = json.Unmarshal(rec.Body.Bytes(), &out)
			if len(out.Events) != tc.n {
				t.Fatalf("events = %d, want %d", len(out.Events), tc.n)
			}
			if tc.n == 1 && name == "oversized" && !strings.Contains(out.Events[0].InvokingEvent, `"configurationItemSummary"`) {
				t.Fatalf("oversized invoking event = %s", out.Events[0].InvokingEvent)
			}
		})
	}
}

// FuzzConfigRequest: arbitrary signed JSON 1.1 bodies for each operation
// never panic and fail only with a JSON {"__type"} error.
func FuzzConfigRequest(f *testing.F) {
	for op, body := range map[string]string{
		"PutEvaluations":                   `{"ResultToken":"TESTMODE","Evaluations":[{"ComplianceResourceType":"AWS::S3::Bucket","ComplianceResourceId":"b","ComplianceType":"COMPLIANT","OrderingTimestamp":1.7e9}]}`,
		"GetComplianceDetailsByConfigRule": `{"ConfigRuleName":"r","Limit":5,"NextToken":"MQ"}`,
		"GetResourceConfigHistory":         `{"resourceType":"AWS::S3::Bucket","resourceId":"dev-assets","limit":1}`,
		"ListDiscoveredResources":          `{"resourceType":"AWS::DynamoDB::Table","includeDeletedResources":true}`,
		"BatchGetResourceConfig":           `{"resourceKeys":[{"resourceType":"AWS::S3::Bucket","resourceId":"x"}]}`,
		"GetResourceConfigHistory range":   `{"resourceType":"AWS::S3::Bucket","resourceId":"dev-assets","laterTime":1.7e9,"earlierTime":1.6e9,"chronologicalOrder":"Forward"}`,
		"GetComplianceDetailsByResource":   `{"ResourceType":"AWS::S3::Bucket","ResourceId":"b","ComplianceTypes":["COMPLIANT"],"NextToken":"MQ"}`,
		"DescribeComplianceByResource":     `{"ResourceType":"AWS::S3::Bucket","ComplianceTypes":["NON_COMPLIANT"],"Limit":3}`,
	} {
		op, _, _ = strings.Cut(op, " ")
		f.Add(op, body)
	}
	e := newEnv(f)
	cred, err := e.srv.AddAccount(acct)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op, body string) {
		req, err := http.NewRequest(http.MethodPost, e.url+"/", bytes.NewReader([]byte(body)))
		if err != nil {
			t.Skip()
		}
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "StarlingDoveService."+op)
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(req.Context(), aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.Secret},
			req, hex.EncodeToString(sum[:]), "config", region, time.Now()); err != nil {
			t.Skip()
		}
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK {
			return
		}
		var eb struct {
			Type string `json:"__type"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Type == "" {
			t.Fatalf("status %d with a non-AWS error body %q", rec.Code, rec.Body.String())
		}
	})
}
