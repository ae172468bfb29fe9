package kmssvc_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/byok-dev/byok/internal/sandbox"
)

// rawCall sends a signed KMS request with an arbitrary target and body
// through the server's handler and returns the status and decoded body.
func rawCall(t testing.TB, srv *sandbox.Server, target string, body []byte) (int, map[string]any, []byte) {
	t.Helper()
	akid, secret := sandbox.AccountKeys(acctA)
	req := httptest.NewRequest(http.MethodPost, "http://sandbox/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256(body)
	err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), "kms", region, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Result().Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("response is not JSON (status %d): %q", rec.Code, raw)
	}
	return rec.Code, m, raw
}

func TestMalformedRequests(t *testing.T) {
	h := newHarness(t, "")
	cases := map[string]struct {
		target, body, code, msg string
	}{
		"missing keyId":      {"TrentService.DescribeKey", `{}`, "ValidationException", "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"},
		"malformed JSON":     {"TrentService.Encrypt", `{"KeyId":`, "SerializationException", ""},
		"wrong type":         {"TrentService.Encrypt", `{"KeyId":5}`, "SerializationException", ""},
		"unknown target":     {"TrentService.MakeCoffee", `{}`, "UnknownOperationException", ""},
		"wrong prefix":       {"Other.ListKeys", `{}`, "UnknownOperationException", ""},
		"bad base64 blob":    {"TrentService.Decrypt", `{"CiphertextBlob":"%%%"}`, "SerializationException", ""},
		"garbage ciphertext": {"TrentService.Decrypt", `{"CiphertextBlob":"AAAA"}`, "InvalidCiphertextException", ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			status, m, raw := rawCall(t, h.srv, tc.target, []byte(tc.body))
			if status != http.StatusBadRequest || m["__type"] != tc.code {
				t.Fatalf("status %d body %s, want 400 %s", status, raw, tc.code)
			}
			if tc.msg != "" && m["message"] != tc.msg {
				t.Fatalf("message %q, want %q", m["message"], tc.msg)
			}
		})
	}
}

func FuzzKMSRequest(f *testing.F) {
	seeds := []struct{ target, body string }{
		{"TrentService.CreateKey", `{"Origin":"EXTERNAL","MultiRegion":true}`},
		{"TrentService.Encrypt", `{"KeyId":"alias/x","Plaintext":"aGk=","EncryptionContext":{"a":"b"}}`},
		{"TrentService.Decrypt", `{"CiphertextBlob":"AQ=="}`},
		{"TrentService.ImportKeyMaterial", `{"KeyId":"mrk-00000000000000000000000000000000","ImportToken":"AA==","EncryptedKeyMaterial":"AA==","ValidTo":1e30}`},
		{"TrentService.ListKeys", `{"Limit":0,"Marker":"AAAAAQ"}`},
		{"TrentService.ListKeyRotations", `{"KeyId":"arn:aws:kms:eu-west-1:222222222222:key/x"}`},
		{"TrentService.PutKeyPolicy", `{"KeyId":"k","Policy":"{\"Statement\":[]}"}`},
		{"TrentService.GenerateDataKey", `{"KeyId":"k","NumberOfBytes":-1}`},
		{"TrentService.Nope", `[]`},
		{"", `null`},
	}
	for _, s := range seeds {
		f.Add(s.target, []byte(s.body))
	}
	srv, err := sandbox.New(sandbox.Options{})
	if err != nil {
		f.Fatal(err)
	}
	h := &harness{srv: srv}
	attachKMS(f, h)
	f.Fuzz(func(t *testing.T, target string, body []byte) {
		if strings.ContainsAny(target, "\r\n\x00") {
			return // not a valid HTTP header value; net/http would refuse it
		}
		start := time.Now()
		status, m, raw := rawCall(t, srv, target, body)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("request took %v: the sandbox must never hang", d)
		}
		if status == http.StatusOK {
			return
		}
		if code, _ := m["__type"].(string); code == "" || status >= 500 {
			t.Fatalf("status %d without an AWS error shape: %s", status, raw)
		}
	})
}
