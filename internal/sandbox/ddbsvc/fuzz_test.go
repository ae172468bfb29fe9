package ddbsvc_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// FuzzDynamoDBRequest sends arbitrary signed JSON 1.0 bodies for each
// operation: never a panic, and every failure is a JSON {"__type"} error.
func FuzzDynamoDBRequest(f *testing.F) {
	seeds := map[string]string{
		"ListTables":    `{"Limit":0,"ExclusiveStartTableName":"ab"}`,
		"DescribeTable": `{"TableName":"arn:aws:dynamodb:eu-west-1:1:table/x"}`,
		"CreateTable":   `{"TableName":"abc","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST","SSESpecification":{"Enabled":true}}`,
		"UpdateTable":   `{"TableName":"abc","SSESpecification":{"Enabled":true,"SSEType":"KMS","KMSMasterKeyId":"alias/dev/dynamodb"}}`,
		"DeleteTable":   `{"TableName":"abc"}`,
		"Bogus":         `[]`,
	}
	for op, body := range seeds {
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
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(req.Context(), aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.Secret},
			req, hex.EncodeToString(sum[:]), "dynamodb", region, time.Now()); err != nil {
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
