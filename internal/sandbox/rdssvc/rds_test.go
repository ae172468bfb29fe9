package rdssvc_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"

	"github.com/byok-dev/byok/internal/sandbox"
	rdssvc "github.com/byok-dev/byok/internal/sandbox/rdssvc"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

const (
	acct   = "222222222222"
	other  = "333333333333"
	region = "eu-west-1"
	keyARN = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	newKey = "arn:aws:kms:eu-west-1:111111111111:key/0987dcba-09fe-87dc-65ba-ab0987654321"
	awsRDS = "arn:aws:kms:eu-west-1:222222222222:key/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
)

// tableKeys stands in for the sibling KMS service: it resolves references
// from a fixed table (it does not imitate AWS; the KMS service does).
type tableKeys map[string]string

func (t tableKeys) ResolveKey(_ svc.Call, ref string) (string, error) {
	if a, ok := t[ref]; ok {
		return a, nil
	}
	return "", fmt.Errorf("no key %q", ref)
}

var keys = tableKeys{"alias/dev/rds": keyARN, keyARN: keyARN, newKey: newKey, "alias/dev/rds-new": newKey, "alias/aws/rds": awsRDS}

type env struct {
	srv  *sandbox.Server
	rds  *rdssvc.Service
	url  string
	main *rds.Client
	alt  *rds.Client
}

func newEnv(t testing.TB) *env {
	t.Helper()
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	s, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := rdssvc.New(s.Env, keys)
	if err != nil {
		t.Fatal(err)
	}
	s.Register(r)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &env{srv: s, rds: r, url: ts.URL, main: client(t, s, ts.URL, acct), alt: client(t, s, ts.URL, other)}
}

func client(t testing.TB, s *sandbox.Server, url, account string) *rds.Client {
	cred, err := s.AddAccount(account)
	if err != nil {
		t.Fatal(err)
	}
	return rds.New(rds.Options{Region: region, BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(cred.AccessKeyID, cred.Secret, "")})
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func mustCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := code(err); got != want {
		t.Fatalf("error = %v, want code %s", err, want)
	}
}

func createPG(t *testing.T, c *rds.Client, id string, enc bool, key string) *types.DBInstance {
	t.Helper()
	in := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t4g.micro"),
		Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("admin")}
	if enc {
		in.StorageEncrypted = aws.Bool(true)
	}
	if key != "" {
		in.KmsKeyId = aws.String(key)
	}
	out, err := c.CreateDBInstance(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateDBInstance %s: %v", id, err)
	}
	return out.DBInstance
}

func TestCreateAndDescribeInstance(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	created := createPG(t, e.main, "Orders-DB", true, "alias/dev/rds")
	if aws.ToString(created.DBInstanceStatus) != "creating" {
		t.Errorf("create status = %s, want creating", aws.ToString(created.DBInstanceStatus))
	}
	out, err := e.main.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("orders-db")})
	if err != nil {
		t.Fatal(err)
	}
	d := out.DBInstances[0]
	checks := map[string][2]string{
		"identifier (lowercased)": {aws.ToString(d.DBInstanceIdentifier), "orders-db"},
		"kms key stored resolved": {aws.ToString(d.KmsKeyId), keyARN},
		"status":                  {aws.ToString(d.DBInstanceStatus), "available"},
		"arn":                     {aws.ToString(d.DBInstanceArn), "arn:aws:rds:eu-west-1:" + acct + ":db:orders-db"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
	if !aws.ToBool(d.StorageEncrypted) {
		t.Error("StorageEncrypted = false")
	}
	rid := aws.ToString(d.DbiResourceId)
	if len(rid) != 29 || !strings.HasPrefix(rid, "db-") || strings.ToUpper(rid[3:]) != rid[3:] {
		t.Errorf("DbiResourceId = %q, want db- + 26 upper-case alphanumerics", rid)
	}
	if rid != aws.ToString(created.DbiResourceId) {
		t.Errorf("DbiResourceId changed between create and describe")
	}
	// The other account sees nothing of it.
	_, err = e.alt.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("orders-db")})
	mustCode(t, err, "DBInstanceNotFound")
}

func TestCreateInstanceKeys(t *testing.T) {
	e := newEnv(t)
	cases := map[string]struct {
		enc      bool
		key      string
		wantKey  string
		wantCode string
	}{
		"default aws/rds":       {enc: true, wantKey: awsRDS},
		"alias":                 {enc: true, key: "alias/dev/rds", wantKey: keyARN},
		"unencrypted":           {},
		"unknown key":           {enc: true, key: "alias/nope", wantCode: "KMSKeyNotAccessibleFault"},
		"key without encrypted": {key: "alias/dev/rds", wantCode: "InvalidParameterCombination"},
	}
	n := 0
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			n++
			in := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(fmt.Sprintf("k%d", n)),
				DBInstanceClass: aws.String("db.t4g.micro"), Engine: aws.String("mysql"), AllocatedStorage: aws.Int32(20)}
			if tc.enc {
				in.StorageEncrypted = aws.Bool(true)
			}
			if tc.key != "" {
				in.KmsKeyId = aws.String(tc.key)
			}
			out, err := e.main.CreateDBInstance(context.Background(), in)
			if tc.wantCode != "" {
				mustCode(t, err, tc.wantCode)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(out.DBInstance.KmsKeyId); got != tc.wantKey {
				t.Errorf("KmsKeyId = %q, want %q", got, tc.wantKey)
			}
		})
	}
}

func TestCreateInstanceValidation(t *testing.T) {
	e := newEnv(t)
	createPG(t, e.main, "dup", false, "")
	base := func() *rds.CreateDBInstanceInput {
		return &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("v1"), DBInstanceClass: aws.String("db.t4g.micro"),
			Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20)}
	}
	cases := map[string]struct {
		mod  func(*rds.CreateDBInstanceInput)
		want string
	}{
		"bad identifier":  {func(i *rds.CreateDBInstanceInput) { i.DBInstanceIdentifier = aws.String("1abc") }, "InvalidParameterValue"},
		"double hyphen":   {func(i *rds.CreateDBInstanceInput) { i.DBInstanceIdentifier = aws.String("a--b") }, "InvalidParameterValue"},
		"already exists":  {func(i *rds.CreateDBInstanceInput) { i.DBInstanceIdentifier = aws.String("DUP") }, "DBInstanceAlreadyExists"},
		"small storage":   {func(i *rds.CreateDBInstanceInput) { i.AllocatedStorage = aws.Int32(5) }, "InvalidParameterValue"},
		"aurora alone":    {func(i *rds.CreateDBInstanceInput) { i.Engine = aws.String("aurora-mysql") }, "InvalidParameterCombination"},
		"missing cluster": {func(i *rds.CreateDBInstanceInput) { i.DBClusterIdentifier = aws.String("nope") }, "DBClusterNotFoundFault"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := base()
			tc.mod(in)
			_, err := e.main.CreateDBInstance(context.Background(), in)
			mustCode(t, err, tc.want)
		})
	}
}
