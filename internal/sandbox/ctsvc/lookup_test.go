package ctsvc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/byok-dev/byok/internal/sandbox"
	ctsvc "github.com/byok-dev/byok/internal/sandbox/ctsvc"
	"github.com/byok-dev/byok/internal/sandbox/trail"
)

const (
	security = "111111111111"
	dev      = "222222222222"
	region   = "eu-west-1"
	keyID    = "1234abcd-12ab-34cd-56ef-1234567890ab"
	keyARN   = "arn:aws:kms:eu-west-1:111111111111:key/" + keyID
	otherARN = "arn:aws:kms:eu-west-1:111111111111:key/0000abcd-12ab-34cd-56ef-1234567890ab"
)

type fixture struct {
	srv  *sandbox.Server
	url  string
	base time.Time
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	s, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := ctsvc.New(s.Env)
	if err != nil {
		t.Fatal(err)
	}
	s.Register(v)
	for _, a := range []string{security, dev} {
		if _, err := s.AddAccount(a); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	f := &fixture{srv: s, url: ts.URL, base: s.Env.Clock.Now().Add(-time.Hour).Truncate(time.Second)}
	f.recordEvents(t)
	return f
}

// recordEvents records what the KMS service records for cross-account use:
// Encrypt by dev on a Security key (visible in both accounts), a failed
// Decrypt, a DescribeKey in the Security account, and events that must stay
// invisible (other Region, older than 90 days).
func (f *fixture) recordEvents(t testing.TB) {
	devUser := trail.UserIdentity{Type: "IAMUser", PrincipalID: "AIDADEV", ARN: "arn:aws:iam::222222222222:user/byok-admin",
		AccountID: dev, AccessKeyID: "AKIADEV"}
	role := trail.UserIdentity{Type: "AssumedRole", PrincipalID: "AROAOP:run-7", ARN: "arn:aws:sts::111111111111:assumed-role/byok-operator/run-7",
		AccountID: security, AccessKeyID: "ASIAOP", SessionIssuerARN: "arn:aws:iam::111111111111:role/byok-operator"}
	both := []string{dev, security}
	events := []trail.Event{
		{EventName: "Encrypt", UserIdentity: devUser, Resources: kmsKey(keyARN), Accounts: both, ReadOnly: true},
		{EventName: "Decrypt", UserIdentity: devUser, Resources: kmsKey(keyARN), Accounts: both, ReadOnly: true,
			ErrorCode: "AccessDeniedException", ErrorMessage: "not allowed",
			AdditionalEventData: map[string]any{"keyMaterialId": "abc123"}},
		{EventName: "DescribeKey", UserIdentity: role, Resources: kmsKey(otherARN), Accounts: []string{security}, ReadOnly: true},
		{EventName: "ImportKeyMaterial", UserIdentity: role, Resources: kmsKey(keyARN), Accounts: []string{security}},
		{EventName: "RotateKeyOnDemand", UserIdentity: role, Resources: kmsKey(keyARN), Accounts: []string{security}},
		{EventName: "Encrypt", UserIdentity: role, Resources: kmsKey(keyARN), Accounts: []string{security}, AWSRegion: "eu-central-1"},
		{EventName: "Encrypt", UserIdentity: role, Resources: kmsKey(keyARN), Accounts: []string{security},
			EventTime: f.base.Add(-100 * 24 * time.Hour)},
	}
	for i, e := range events {
		e.EventID = fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
		if e.EventTime.IsZero() {
			e.EventTime = f.base.Add(time.Duration(i) * time.Minute)
		}
		if e.AWSRegion == "" {
			e.AWSRegion = region
		}
		e.EventSource, e.RecipientAccountID = "kms.amazonaws.com", security
		if err := f.srv.Env.Trail.Record(e); err != nil {
			t.Fatal(err)
		}
	}
}

func kmsKey(arn string) []trail.Resource {
	return []trail.Resource{{ARN: arn, AccountID: security, Type: "AWS::KMS::Key"}}
}

func (f *fixture) client(account string) *cloudtrail.Client {
	akid, secret := sandbox.AccountKeys(account)
	return cloudtrail.New(cloudtrail.Options{Region: region, BaseEndpoint: aws.String(f.url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(akid, secret, "")})
}

func lookup(t *testing.T, c *cloudtrail.Client, in *cloudtrail.LookupEventsInput) []types.Event {
	t.Helper()
	var out []types.Event
	p := cloudtrail.NewLookupEventsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Events...)
	}
	return out
}

func names(events []types.Event) []string {
	var out []string
	for _, e := range events {
		out = append(out, aws.ToString(e.EventName))
	}
	return out
}

func attr(k types.LookupAttributeKey, v string) []types.LookupAttribute {
	return []types.LookupAttribute{{AttributeKey: k, AttributeValue: aws.String(v)}}
}

func TestLookupFilters(t *testing.T) {
	f := newFixture(t)
	cases := map[string]struct {
		account string
		attrs   []types.LookupAttribute
		want    []string
	}{
		"security sees all in region, newest first": {security, nil,
			[]string{"RotateKeyOnDemand", "ImportKeyMaterial", "DescribeKey", "Decrypt", "Encrypt"}},
		"dev sees only its cross-account calls": {dev, nil, []string{"Decrypt", "Encrypt"}},
		"event name":                            {security, attr(types.LookupAttributeKeyEventName, "Encrypt"), []string{"Encrypt"}},
		"resource name as key ARN":              {security, attr(types.LookupAttributeKeyResourceName, otherARN), []string{"DescribeKey"}},
		"resource name as key ID":               {dev, attr(types.LookupAttributeKeyResourceName, keyID), []string{"Decrypt", "Encrypt"}},
		"resource type":                         {dev, attr(types.LookupAttributeKeyResourceType, "AWS::KMS::Key"), []string{"Decrypt", "Encrypt"}},
		"username of assumed role":              {security, attr(types.LookupAttributeKeyUsername, "run-7"), []string{"RotateKeyOnDemand", "ImportKeyMaterial", "DescribeKey"}},
		"username of IAM user":                  {security, attr(types.LookupAttributeKeyUsername, "byok-admin"), []string{"Decrypt", "Encrypt"}},
		"read-only false":                       {security, attr(types.LookupAttributeKeyReadOnly, "false"), []string{"RotateKeyOnDemand", "ImportKeyMaterial"}},
		"access key":                            {security, attr(types.LookupAttributeKeyAccessKeyId, "AKIADEV"), []string{"Decrypt", "Encrypt"}},
		"event ID":                              {security, attr(types.LookupAttributeKeyEventId, "00000000-0000-0000-0000-000000000002"), []string{"DescribeKey"}},
		"event source of another svc":           {security, attr(types.LookupAttributeKeyEventSource, "sts.amazonaws.com"), nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := names(lookup(t, f.client(tc.account), &cloudtrail.LookupEventsInput{LookupAttributes: tc.attrs}))
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLookupTimeRangeAndPages(t *testing.T) {
	f := newFixture(t)
	in := &cloudtrail.LookupEventsInput{StartTime: aws.Time(f.base.Add(time.Minute)),
		EndTime: aws.Time(f.base.Add(3 * time.Minute)), MaxResults: aws.Int32(1)}
	c := f.client(security)
	page, err := c.LookupEvents(context.Background(), in)
	if err != nil || len(page.Events) != 1 || page.NextToken == nil {
		t.Fatalf("first page = %+v, %v", page, err)
	}
	if got := names(lookup(t, c, in)); !slices.Equal(got, []string{"ImportKeyMaterial", "DescribeKey", "Decrypt"}) {
		t.Fatalf("paged time range = %q", got)
	}
	other := *in
	other.EndTime = aws.Time(f.base.Add(4 * time.Minute))
	other.NextToken = page.NextToken
	_, err = c.LookupEvents(context.Background(), &other)
	var bad *types.InvalidNextTokenException
	if !errors.As(err, &bad) {
		t.Fatalf("token replayed with another range: %v, want InvalidNextTokenException", err)
	}
}

func TestLookupErrors(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	cases := map[string]struct {
		in    cloudtrail.LookupEventsInput
		check func(error) bool
	}{
		"two attributes": {cloudtrail.LookupEventsInput{LookupAttributes: append(attr(types.LookupAttributeKeyEventName, "Encrypt"),
			attr(types.LookupAttributeKeyUsername, "x")...)}, isA[*types.InvalidLookupAttributesException]},
		"unknown attribute key": {cloudtrail.LookupEventsInput{LookupAttributes: attr("Region", "eu-west-1")},
			isA[*types.InvalidLookupAttributesException]},
		"read-only not boolean": {cloudtrail.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyReadOnly, "yes")},
			isA[*types.InvalidLookupAttributesException]},
		"start after end": {cloudtrail.LookupEventsInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Hour))},
			isA[*types.InvalidTimeRangeException]},
		"max results 51": {cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)}, isA[*types.InvalidMaxResultsException]},
		"max results 0":  {cloudtrail.LookupEventsInput{MaxResults: aws.Int32(0)}, isA[*types.InvalidMaxResultsException]},
		"forged token":   {cloudtrail.LookupEventsInput{NextToken: aws.String("not-a-token")}, isA[*types.InvalidNextTokenException]},
		"bad category":   {cloudtrail.LookupEventsInput{EventCategory: "management"}, isA[*types.InvalidEventCategoryException]},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := f.client(security).LookupEvents(context.Background(), &tc.in)
			if !tc.check(err) {
				t.Fatalf("got %v (%T)", err, errors.Unwrap(err))
			}
		})
	}
}

func isA[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

func TestCloudTrailEventRecord(t *testing.T) {
	f := newFixture(t)
	events := lookup(t, f.client(dev), &cloudtrail.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyEventName, "Decrypt")})
	if len(events) != 1 {
		t.Fatalf("got %d Decrypt events", len(events))
	}
	e := events[0]
	if aws.ToString(e.Username) != "byok-admin" || aws.ToString(e.ReadOnly) != "true" || aws.ToString(e.AccessKeyId) != "AKIADEV" ||
		!e.EventTime.Equal(f.base.Add(time.Minute)) || len(e.Resources) != 1 || aws.ToString(e.Resources[0].ResourceName) != keyARN {
		t.Fatalf("event = %+v", e)
	}
	var rec struct {
		ErrorCode           string         `json:"errorCode"`
		ErrorMessage        string         `json:"errorMessage"`
		RecipientAccountID  string         `json:"recipientAccountId"`
		AdditionalEventData map[string]any `json:"additionalEventData"`
		EventTime           string         `json:"eventTime"`
		UserIdentity        struct {
			AccountID string `json:"accountId"`
			UserName  string `json:"userName"`
		} `json:"userIdentity"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.ErrorCode != "AccessDeniedException" || rec.ErrorMessage != "not allowed" || rec.RecipientAccountID != security ||
		rec.AdditionalEventData["keyMaterialId"] != "abc123" || rec.UserIdentity.AccountID != dev ||
		rec.UserIdentity.UserName != "byok-admin" || rec.EventTime != f.base.Add(time.Minute).UTC().Format(time.RFC3339) {
		t.Fatalf("record = %+v", rec)
	}
}

func TestAssumedRoleSessionContext(t *testing.T) {
	f := newFixture(t)
	events := lookup(t, f.client(security), &cloudtrail.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyEventName, "DescribeKey")})
	var rec struct {
		UserIdentity struct {
			SessionContext struct {
				SessionIssuer struct{ Arn, UserName string } `json:"sessionIssuer"`
			} `json:"sessionContext"`
		} `json:"userIdentity"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(events[0].CloudTrailEvent)), &rec); err != nil {
		t.Fatal(err)
	}
	if si := rec.UserIdentity.SessionContext.SessionIssuer; si.Arn != "arn:aws:iam::111111111111:role/byok-operator" || si.UserName != "byok-operator" {
		t.Fatalf("session issuer = %+v", si)
	}
}
