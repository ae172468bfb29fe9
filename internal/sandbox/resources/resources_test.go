package resources_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"

	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/configsvc"
	ddbsvc "github.com/byok-dev/byok/internal/sandbox/ddbsvc"
	rdssvc "github.com/byok-dev/byok/internal/sandbox/rdssvc"
	"github.com/byok-dev/byok/internal/sandbox/resources"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

const keyARN = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// tableKeys stands in for the sibling KMS service with a fixed table.
type tableKeys map[string]string

func (t tableKeys) ResolveKey(_ svc.Call, ref string) (string, error) {
	if a, ok := t[ref]; ok {
		return a, nil
	}
	return "", fmt.Errorf("no key %q", ref)
}

func TestCreateThroughSDK(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	s, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	keys := tableKeys{"alias/dev/rds": keyARN, "alias/dev/dynamodb": keyARN, "alias/aws/dynamodb": keyARN}
	r, _ := rdssvc.New(s.Env, keys)
	d, _ := ddbsvc.New(s.Env, keys)
	b, _ := s3svc.New(s.Env)
	for _, v := range []svc.Service{r, d, b} {
		s.Register(v)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	cred, _ := s.AddAccount("222222222222")
	cfg := aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(ts.URL),
		Credentials: credentials.NewStaticCredentialsProvider(cred.AccessKeyID, cred.Secret, "")}
	spec := resources.Spec{
		Buckets:   []resources.Bucket{{Name: "dev-assets", Algorithm: "aws:kms", KeyRef: "alias/dev/s3", BucketKey: true}, {Name: "dev-logs"}},
		Tables:    []resources.Table{{Name: "carts", KMS: true, KeyRef: "alias/dev/dynamodb"}, {Name: "sessions"}},
		Instances: []resources.Instance{{ID: "orders", Encrypted: true, KeyRef: "alias/dev/rds"}},
		Clusters:  []resources.Cluster{{ID: "ledger", KeyRef: "alias/dev/rds", Members: []string{"ledger-1", "ledger-2"}}},
	}
	if err := resources.Create(context.Background(), cfg, spec); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, src := range []configsvc.Source{r, d, b} {
		for _, it := range src.Items("222222222222", "eu-west-1") {
			got[it.ResourceType]++
		}
	}
	want := map[string]int{configsvc.TypeBucket: 2, configsvc.TypeTable: 2, configsvc.TypeDBInstance: 3, configsvc.TypeDBCluster: 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("created %v, want %v", got, want)
	}
	err = resources.Create(context.Background(), cfg, resources.Spec{Tables: []resources.Table{{Name: "x-table", KeyRef: "alias/dev/dynamodb"}}})
	if !errors.Is(err, resources.ErrSpec) {
		t.Fatalf("KeyRef without KMS: %v, want ErrSpec", err)
	}
	err = resources.Create(context.Background(), cfg, resources.Spec{Instances: []resources.Instance{{ID: "bad", KeyRef: "alias/missing"}}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "KMSKeyNotAccessibleFault" {
		t.Fatalf("unknown key: %v", err)
	}
}
