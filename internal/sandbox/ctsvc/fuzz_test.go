package ctsvc_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/byok-dev/byok/internal/sandbox"
)

// FuzzLookupEvents sends arbitrary signed JSON bodies to LookupEvents
// through the server handler: every answer is a result or an AWS-shaped
// JSON error with a __type, never a panic.
func FuzzLookupEvents(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"Encrypt"}],"MaxResults":2}`,
		`{"LookupAttributes":[{"AttributeKey":"ResourceName"}]}`,
		`{"StartTime":1.7e9,"EndTime":1.6e9}`,
		`{"StartTime":-1,"EndTime":1e300,"MaxResults":1.5}`,
		`{"NextToken":"eyJ2IjoxLCJpZCI6IngiLCJmcCI6IjAwIn0"}`,
		`{"LookupAttributes":"nope"}`,
		`[`,
		``,
	} {
		f.Add(s)
	}
	fx := newFixture(f)
	akid, secret := sandbox.AccountKeys(security)
	signer := v4.NewSigner()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "http://sandbox/", bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "CloudTrail_20131101.LookupEvents")
		sum := sha256.Sum256([]byte(body))
		err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret},
			req, hex.EncodeToString(sum[:]), "cloudtrail", region, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		fx.srv.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("status %d, body is not JSON: %q", rec.Code, rec.Body.String())
		}
		if _, isErr := out["__type"]; (rec.Code != http.StatusOK) != isErr {
			t.Fatalf("status %d with body %q", rec.Code, rec.Body.String())
		}
	})
}
