package snssvc_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/byok-dev/byok/internal/sandbox"
)

// FuzzSNSRequest sends arbitrary signed SNS Query bodies through the server
// handler: every answer is a success or an AWS-shaped Query error, never a
// panic.
func FuzzSNSRequest(f *testing.F) {
	for _, s := range []string{
		"Action=CreateTopic&Version=2010-03-31&Name=t1",
		"Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A111111111111%3At1&Message=hi&Subject=s",
		"Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A111111111111%3At1&Message=%7B&MessageStructure=json",
		"Action=Subscribe&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A111111111111%3At1&Protocol=https&Endpoint=http%3A%2F%2Fx",
		"Action=ListSubscriptionsByTopic&TopicArn=x",
		"Action=ListTopics", "Action=DeleteTopic&TopicArn=",
		"Action=Nope&Version=1999-01-01",
		"",
		"%",
	} {
		f.Add(s)
	}
	fx := newFixture(f)
	akid, secret := sandbox.AccountKeys(security)
	signer := v4.NewSigner()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "http://sandbox/", bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		sum := sha256.Sum256([]byte(body))
		err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret},
			req, hex.EncodeToString(sum[:]), "sns", region, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		fx.srv.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK {
			return
		}
		var e struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		}
		if err := xml.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code == "" {
			t.Fatalf("status %d with a body that is no AWS Query error: %q", rec.Code, rec.Body.String())
		}
	})
}
