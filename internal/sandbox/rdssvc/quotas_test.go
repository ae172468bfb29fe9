package rdssvc_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	rdssvc "github.com/byok-dev/byok/internal/sandbox/rdssvc"
)

func TestThrottling(t *testing.T) {
	e := newEnv(t)
	e.srv.Faults.Register("rds", rdssvc.Quotas(), rdssvc.ThrottleError)
	e.srv.Faults.EnforceQuotas(true)
	cred, _ := e.srv.AddAccount(acct)
	c := rds.New(rds.Options{Region: region, BaseEndpoint: aws.String(e.url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(cred.AccessKeyID, cred.Secret, "")})
	var throttled int
	for range 30 {
		_, err := c.DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{})
		switch code(err) {
		case "":
		case "Throttling":
			throttled++
		default:
			t.Fatalf("unexpected error %v", err)
		}
	}
	if throttled < 15 {
		t.Fatalf("throttled %d of 30 back-to-back calls, want ≥ 15 at 12 requests/s", throttled)
	}
}
