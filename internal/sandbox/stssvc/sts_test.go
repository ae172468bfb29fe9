package stssvc_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	stssvc "github.com/byok-dev/byok/internal/sandbox/stssvc"
	"github.com/byok-dev/byok/internal/sandbox/trail"
)

const (
	security = "111111111111"
	dev      = "222222222222"
	outsider = "999999999999"
	region   = "eu-west-1"
	opRole   = "arn:aws:iam::111111111111:role/byok-operator"
	devRole  = "arn:aws:iam::222222222222:role/byok-verify"
	longRole = "arn:aws:iam::222222222222:role/long-sessions"
)

type fixture struct {
	srv *sandbox.Server
	url string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	s, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := stssvc.New(s.Env)
	if err != nil {
		t.Fatal(err)
	}
	s.Register(v)
	for _, a := range []string{security, dev, outsider} {
		if _, err := s.AddAccount(a); err != nil {
			t.Fatal(err)
		}
	}
	roles := []identity.Role{
		{ARN: opRole, Account: security, Name: "byok-operator", Trusted: []string{security}},
		{ARN: devRole, Account: dev, Name: "byok-verify", Trusted: []string{"arn:aws:iam::111111111111:root"}},
		{ARN: longRole, Account: dev, Name: "long-sessions", Trusted: []string{security}, MaxSession: 4 * time.Hour},
	}
	for _, r := range roles {
		if err := s.Env.IAM.AddRole(r); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &fixture{srv: s, url: ts.URL}
}

func (f *fixture) client(account string) *sts.Client {
	akid, secret := sandbox.AccountKeys(account)
	return sts.New(sts.Options{Region: region, BaseEndpoint: aws.String(f.url),
		Credentials: credentials.NewStaticCredentialsProvider(akid, secret, "")})
}

func TestGetCallerIdentity(t *testing.T) {
	f := newFixture(t)
	out, err := f.client(dev).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != dev || aws.ToString(out.Arn) != "arn:aws:iam::222222222222:user/byok-admin" ||
		!strings.HasPrefix(aws.ToString(out.UserId), "AIDA") {
		t.Fatalf("identity = %s %s %s", aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId))
	}
}

func TestAssumeRoleIssuesWorkingCredentials(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	out, err := f.client(security).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(devRole),
		RoleSessionName: aws.String("verify-run1"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	c, u := out.Credentials, out.AssumedRoleUser
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || aws.ToString(c.SessionToken) == "" ||
		aws.ToString(u.Arn) != "arn:aws:sts::222222222222:assumed-role/byok-verify/verify-run1" ||
		!strings.HasSuffix(aws.ToString(u.AssumedRoleId), ":verify-run1") {
		t.Fatalf("unexpected response %+v %+v", c, u)
	}
	if want := f.srv.Env.Clock.Now().Add(900 * time.Second); c.Expiration.Sub(want).Abs() > 2*time.Second {
		t.Fatalf("expiration %v, want about %v", c.Expiration, want)
	}
	sess := sts.New(sts.Options{Region: region, BaseEndpoint: aws.String(f.url),
		Credentials: credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)})
	id, err := sess.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != dev || aws.ToString(id.Arn) != aws.ToString(u.Arn) {
		t.Fatalf("session identity = %+v, %v", id, err)
	}
	f.srv.Env.Clock.Advance(901 * time.Second)
	_, err = sess.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	assertCode(t, err, "ExpiredToken")
}

func TestAssumeRoleErrors(t *testing.T) {
	cases := map[string]struct {
		caller, role, session string
		duration              int32
		code, msg             string
	}{
		"untrusted account": {outsider, devRole, "s1", 0, "AccessDenied",
			"User: arn:aws:iam::999999999999:user/byok-admin is not authorized to perform: sts:AssumeRole on resource: " + devRole},
		"unknown role": {security, "arn:aws:iam::222222222222:role/nope", "s1", 0, "AccessDenied",
			"User: arn:aws:iam::111111111111:user/byok-admin is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/nope"},
		"session name with space": {security, devRole, "a b", 0, "ValidationError", "Member must satisfy regular expression pattern"},
		"session name too short":  {security, devRole, "a", 0, "ValidationError", "Member must have length greater than or equal to 2"},
		"session name too long":   {security, devRole, strings.Repeat("x", 65), 0, "ValidationError", "Member must have length less than or equal to 64"},
		"duration below 900":      {security, devRole, "s1", 899, "ValidationError", "greater than or equal to 900"},
		"duration above 43200":    {security, longRole, "s1", 43201, "ValidationError", "less than or equal to 43200"},
		"duration above role max": {security, devRole, "s1", 3601, "ValidationError", "exceeds the MaxSessionDuration set for this role"},
		"malformed role ARN":      {security, "arn:aws:s3:::some-bucket-name", "s1", 0, "ValidationError", "is invalid"},
	}
	f := newFixture(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := &sts.AssumeRoleInput{RoleArn: aws.String(tc.role), RoleSessionName: aws.String(tc.session)}
			if tc.duration != 0 {
				in.DurationSeconds = aws.Int32(tc.duration)
			}
			_, err := f.client(tc.caller).AssumeRole(context.Background(), in)
			assertCode(t, err, tc.code)
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("message %q does not contain %q", err, tc.msg)
			}
		})
	}
}

func TestAssumeRoleWithinRoleMax(t *testing.T) {
	f := newFixture(t)
	_, err := f.client(security).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(longRole),
		RoleSessionName: aws.String("long"), DurationSeconds: aws.Int32(4 * 3600)})
	if err != nil {
		t.Fatalf("4 h session on a role allowing 4 h: %v", err)
	}
}

// TestAssumeRoleProviderChains drives the SDK's stscreds provider: the
// operator role in the Security account, then (role chaining) the verify
// role in dev, each used by a fresh client.
func TestAssumeRoleProviderChains(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	opCreds := aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(f.client(security), opRole))
	asOp := sts.New(sts.Options{Region: region, BaseEndpoint: aws.String(f.url), Credentials: opCreds})
	id, err := asOp.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || !strings.HasPrefix(aws.ToString(id.Arn), "arn:aws:sts::111111111111:assumed-role/byok-operator/") {
		t.Fatalf("operator identity = %v, %v", id, err)
	}
	devCreds := aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(asOp, devRole, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "chained"
	}))
	asDev := sts.New(sts.Options{Region: region, BaseEndpoint: aws.String(f.url), Credentials: devCreds})
	id, err = asDev.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::222222222222:assumed-role/byok-verify/chained" {
		t.Fatalf("chained identity = %v, %v", id, err)
	}
	_, err = asOp.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(longRole),
		RoleSessionName: aws.String("chain2h"), DurationSeconds: aws.Int32(7200)})
	assertCode(t, err, "ValidationError")
}

func TestAssumeRoleIsRecordedInBothAccounts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.client(security).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(devRole),
		RoleSessionName: aws.String("audit")}); err != nil {
		t.Fatal(err)
	}
	_, err := f.client(outsider).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(devRole), RoleSessionName: aws.String("x1")})
	assertCode(t, err, "AccessDenied")
	for account, want := range map[string][]string{security: {""}, dev: {"AccessDenied", ""}, outsider: {"AccessDenied"}} {
		var got []string
		f.srv.Env.Trail.Visible(account, region, func(e trail.Event) bool {
			if e.EventSource != "sts.amazonaws.com" || e.EventName != "AssumeRole" || e.Resources[0].ARN != devRole {
				t.Errorf("unexpected event %+v", e)
			}
			got = append(got, e.ErrorCode)
			return true
		})
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("account %s sees error codes %q, want %q", account, got, want)
		}
	}
}

func assertCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}
