package sandbox_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// echoKMS answers ListKeys with an empty list and the caller's account in
// a header, to test the server's authentication and routing alone.
type echoKMS struct{}

func (echoKMS) SigningName() string         { return "kms" }
func (echoKMS) Protocol() awsproto.Protocol { return awsproto.JSON11 }
func (echoKMS) Operation(r *http.Request, _ []byte) (string, *awsproto.Error) {
	return awsproto.JSONOperation(r, "TrentService")
}
func (echoKMS) Serve(w http.ResponseWriter, c *svc.Call) {
	w.Header().Set("X-Test-Account", c.Caller.Account)
	awsproto.WriteJSON(w, awsproto.JSON11, c.RequestID, map[string]any{"Keys": []any{}, "Truncated": false})
}

func newServer(t *testing.T) (*sandbox.Server, string) {
	t.Helper()
	s, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Register(echoKMS{})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts.URL
}

func kmsClient(url, akid, secret string) *kms.Client {
	return kms.New(kms.Options{Region: "eu-west-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(akid, secret, "")})
}

func TestAuthentication(t *testing.T) {
	s, url := newServer(t)
	cred, err := s.AddAccount("111111111111")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cases := map[string]struct {
		akid, secret, wantCode string
	}{
		"valid":        {cred.AccessKeyID, cred.Secret, ""},
		"wrong secret": {cred.AccessKeyID, "not-the-secret", "InvalidSignatureException"},
		"unknown key":  {"AKIAUNKNOWN000000000", "x", "UnrecognizedClientException"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := kmsClient(url, tc.akid, tc.secret).ListKeys(ctx, &kms.ListKeysInput{})
			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("ListKeys: %v", err)
				}
				return
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tc.wantCode {
				t.Fatalf("got %v, want %s", err, tc.wantCode)
			}
		})
	}
	if got := s.Counters.Get("111111111111", "kms", "ListKeys"); got != 1 {
		t.Fatalf("counter = %d, want 1 (only the authenticated call counts)", got)
	}
}
