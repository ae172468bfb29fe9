package watch_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/watch"
)

func TestOwnHas(t *testing.T) {
	const op = "arn:aws:sts::111111111111:assumed-role/byok-operator/run-1"
	own := watch.Own{Principal: op, RequestIDs: map[string]bool{"r1": true}}
	cases := map[string]struct {
		principal, id string
		want          bool
	}{
		"journaled call":                    {op, "r1", true},
		"same role, the resume's session":   {"arn:aws:sts::111111111111:assumed-role/byok-operator/run-1-resume", "r1", true},
		"operator call not journaled":       {op, "r2", false},
		"same role name in another account": {"arn:aws:sts::333333333333:assumed-role/byok-operator/run-1", "r1", false},
		"another role, journaled ID":        {"arn:aws:sts::111111111111:assumed-role/app/s", "r1", false},
		"a user":                            {"arn:aws:iam::111111111111:user/byok-operator", "r1", false},
		"no request ID":                     {op, "", false},
		"empty Own judges everything":       {"", "r1", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := own.Has(tc.principal, tc.id); got != tc.want {
				t.Fatalf("Has(%s, %s) = %v, want %v", tc.principal, tc.id, got, tc.want)
			}
		})
	}
}

// TestFailuresExceptOwnCalls: the operator role's refused call whose
// request ID the run journaled is not judged; the same role name's
// refused call from another account is, and so is an unjournaled call of
// the operator.
func TestFailuresExceptOwnCalls(t *testing.T) {
	sb := sandboxrun.NewTest(t, true)
	ctx := context.Background()
	start := sb.Now().Add(-time.Minute)
	alias := "arn:aws:kms:eu-west-1:111111111111:alias/dev/rds"
	const role = "byok-watch-test"
	assume := func(account string) *kms.Client {
		arn := "arn:aws:iam::" + account + ":role/" + role
		if err := sb.AddRole(identity.Role{ARN: arn, Account: account, Name: role, Trusted: []string{account}}); err != nil {
			t.Fatal(err)
		}
		return kms.NewFromConfig(awsx.Assume(sb.Config(ctx, account), arn))
	}
	mine, theirs := assume("111111111111"), assume("333333333333")
	d, err := kms.NewFromConfig(sb.Config(ctx, "111111111111")).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	if err != nil {
		t.Fatal(err)
	}
	keyARN := aws.ToString(d.KeyMetadata.Arn)
	requestID := func(err error) string {
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.ServiceRequestID() == "" {
			t.Fatalf("want a refused call with a request ID, got %v", err)
		}
		return re.ServiceRequestID()
	}
	// The operator's refused call on the key (a reserved tag key), twice.
	tagOwn := func() string {
		_, err := mine.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(keyARN),
			Tags: []types.Tag{{TagKey: aws.String("aws:reserved"), TagValue: aws.String("x")}}})
		return requestID(err)
	}
	journaled := tagOwn()
	tagOwn() // the operator, not journaled
	_, err = theirs.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(alias), Plaintext: []byte("x")})
	requestID(err)
	opARN, err := awsx.CallerARN(ctx, awsx.Assume(sb.Config(ctx, "111111111111"), "arn:aws:iam::111111111111:role/"+role))
	if err != nil {
		t.Fatal(err)
	}
	own := watch.Own{Principal: opARN, RequestIDs: map[string]bool{journaled: true}}
	trail := cloudtrail.NewFromConfig(sb.Config(ctx, "111111111111"))
	fs, err := watch.FailuresExcept(ctx, trail, "111111111111", keyARN, start, sb.Now().Add(time.Minute), own)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, f := range fs {
		got[f.Principal[:len("arn:aws:sts::111111111111")]] += f.Count
	}
	if len(fs) != 2 || got["arn:aws:sts::111111111111"] != 1 || got["arn:aws:sts::333333333333"] != 1 {
		t.Fatalf("failures %+v, want the operator's unjournaled call and the other account's call, once each", fs)
	}
}
