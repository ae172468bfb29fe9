package sandbox_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// echoS3 answers every call with 200, to test S3's payload rules alone.
type echoS3 struct{}

func (echoS3) SigningName() string         { return "s3" }
func (echoS3) Protocol() awsproto.Protocol { return awsproto.RestXML }
func (echoS3) Operation(*http.Request, []byte) (string, *awsproto.Error) {
	return "PutObject", nil
}
func (echoS3) Serve(w http.ResponseWriter, _ *svc.Call) { w.WriteHeader(http.StatusOK) }

func hashOf(b string) string {
	s := sha256.Sum256([]byte(b))
	return hex.EncodeToString(s[:])
}

// signed builds a request signed over signedBody at t, then sends body.
func signed(t *testing.T, method, url, service string, creds aws.Credentials, signedBody, body string, hdr map[string]string, at time.Time) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	hash := hashOf(signedBody)
	if v := req.Header.Get("X-Amz-Content-Sha256"); v != "" {
		hash = v
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, service, "eu-west-1", at); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func errorCode(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		return ""
	}
	for _, marker := range []string{"<Code>", `"__type":"`} {
		if _, rest, ok := bytes.Cut(b, []byte(marker)); ok {
			end := bytes.IndexAny(rest, `<"`)
			return string(rest[:end])
		}
	}
	return resp.Status + " " + string(b)
}

func TestPayloadHashAndScopeDate(t *testing.T) {
	s, url := newServer(t)
	s.Register(echoS3{})
	cred, err := s.AddAccount("111111111111")
	if err != nil {
		t.Fatal(err)
	}
	creds := aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.Secret}
	kmsHdr := map[string]string{"X-Amz-Target": "TrentService.ListKeys", "Content-Type": "application/x-amz-json-1.1"}
	now := time.Now().UTC()
	cases := map[string]struct {
		service, signedBody, body string
		hdr                       map[string]string
		at                        time.Time
		forgeDate                 bool
		want                      string
	}{
		"kms as signed":                  {"kms", "{}", "{}", kmsHdr, now, false, ""},
		"kms body swapped":               {"kms", "{}", `{"Limit":1}`, kmsHdr, now, false, "InvalidSignatureException"},
		"kms header lies about the body": {"kms", "{}", `{"Limit":1}`, with(kmsHdr, "X-Amz-Content-Sha256", hashOf(`{}`)), now, false, "InvalidSignatureException"},
		"s3 as signed":                   {"s3", "data", "data", map[string]string{"X-Amz-Content-Sha256": hashOf("data")}, now, false, ""},
		"s3 body swapped":                {"s3", "data", "evil", map[string]string{"X-Amz-Content-Sha256": hashOf("data")}, now, false, "XAmzContentSHA256Mismatch"},
		"s3 unsigned payload":            {"s3", "", "anything", map[string]string{"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"}, now, false, ""},
		"kms scope date off":             {"kms", "{}", "{}", kmsHdr, now, true, "InvalidSignatureException"},
		"s3 scope date off":              {"s3", "d", "d", map[string]string{"X-Amz-Content-Sha256": hashOf("d")}, now, true, "AuthorizationHeaderMalformed"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			target := url + "/"
			if tc.service == "s3" {
				target = url + "/bucket/key"
			}
			method := http.MethodPost
			if tc.service == "s3" {
				method = http.MethodPut
			}
			req := tc.hdr
			if tc.forgeDate {
				req = with(tc.hdr, "X-Byok-Forge-Date", "1")
			}
			resp := sendForged(t, method, target, tc.service, creds, tc.signedBody, tc.body, req, tc.at, tc.forgeDate)
			if got := errorCode(t, resp); got != tc.want {
				t.Fatalf("error code %q, want %q", got, tc.want)
			}
		})
	}
}

func with(h map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for kk, vv := range h {
		out[kk] = vv
	}
	return out
}

// sendForged signs like signed and, when forgeDate, moves the credential
// scope's date three days back after signing (X-Amz-Date stays current).
func sendForged(t *testing.T, method, url, service string, creds aws.Credentials, signedBody, body string, hdr map[string]string, at time.Time, forgeDate bool) *http.Response {
	t.Helper()
	if !forgeDate {
		return signed(t, method, url, service, creds, signedBody, body, hdr, at)
	}
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if k != "X-Byok-Forge-Date" {
			req.Header.Set(k, v)
		}
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hashOf(signedBody), service, "eu-west-1", at); err != nil {
		t.Fatal(err)
	}
	day := at.Format("20060102")
	req.Header.Set("Authorization", strings.Replace(req.Header.Get("Authorization"),
		"/"+day+"/", "/"+at.AddDate(0, 0, -3).Format("20060102")+"/", 1))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}
