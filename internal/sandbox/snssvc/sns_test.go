package snssvc_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/snssvc"
)

const (
	security = "111111111111"
	dev      = "222222222222"
	region   = "eu-west-1"
)

type fixture struct {
	srv *sandbox.Server
	sns *snssvc.Service
	url string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	s, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := snssvc.NewService(s.Env)
	s.Register(v)
	for _, a := range []string{security, dev} {
		if _, err := s.AddAccount(a); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &fixture{srv: s, sns: v, url: ts.URL}
}

func (f *fixture) client(account string) *sns.Client {
	akid, secret := sandbox.AccountKeys(account)
	return sns.New(sns.Options{Region: region, BaseEndpoint: aws.String(f.url),
		Credentials: credentials.NewStaticCredentialsProvider(akid, secret, "")})
}

func TestTopicPublishSubscribe(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.client(security)
	out, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("byok-alerts")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.TopicArn)
	if arn != "arn:aws:sns:eu-west-1:111111111111:byok-alerts" {
		t.Fatalf("topic ARN %s", arn)
	}
	again, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("byok-alerts")})
	if err != nil || aws.ToString(again.TopicArn) != arn {
		t.Fatalf("CreateTopic is not idempotent: %v %v", again, err)
	}
	pub, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &arn, Subject: aws.String("byok warning: expiring"), Message: aws.String("material expires")})
	if err != nil || aws.ToString(pub.MessageId) == "" {
		t.Fatalf("Publish: %v %v", pub, err)
	}
	if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &arn, Protocol: aws.String("https"), Endpoint: aws.String("https://hooks.example.com/x")}); err != nil {
		t.Fatal(err)
	}
	subs, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &arn})
	if err != nil || len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].Endpoint) != "https://hooks.example.com/x" {
		t.Fatalf("ListSubscriptionsByTopic: %+v %v", subs, err)
	}
	all, err := c.ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
	if err != nil || len(all.Subscriptions) != 1 {
		t.Fatalf("ListSubscriptions: %+v %v", all, err)
	}
	topics, err := c.ListTopics(ctx, &sns.ListTopicsInput{})
	if err != nil || len(topics.Topics) != 1 {
		t.Fatalf("ListTopics: %+v %v", topics, err)
	}
	msgs := f.sns.Messages()
	if len(msgs) != 1 || msgs[0].Message != "material expires" || msgs[0].TopicARN != arn {
		t.Fatalf("recorded messages %+v", msgs)
	}
}

// TestPublishErrors: each bad request gets SNS's error, decoded by the SDK
// into its typed exception.
func TestPublishErrors(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.client(security)
	out, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t")})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.TopicArn
	var invalid *types.InvalidParameterException
	var notFound *types.NotFoundException
	var denied *types.AuthorizationErrorException
	tests := map[string]struct {
		client *sns.Client
		in     *sns.PublishInput
		want   any
	}{
		"empty message":   {c, &sns.PublishInput{TopicArn: arn, Message: aws.String("")}, &invalid},
		"long subject":    {c, &sns.PublishInput{TopicArn: arn, Message: aws.String("m"), Subject: aws.String(strings.Repeat("s", 100))}, &invalid},
		"subject newline": {c, &sns.PublishInput{TopicArn: arn, Message: aws.String("m"), Subject: aws.String("a\nb")}, &invalid},
		"huge message":    {c, &sns.PublishInput{TopicArn: arn, Message: aws.String(strings.Repeat("m", 262145))}, &invalid},
		"bad arn":         {c, &sns.PublishInput{TopicArn: aws.String("nope"), Message: aws.String("m")}, &invalid},
		"no such topic":   {c, &sns.PublishInput{TopicArn: aws.String("arn:aws:sns:eu-west-1:111111111111:gone"), Message: aws.String("m")}, &notFound},
		"other account":   {f.client(dev), &sns.PublishInput{TopicArn: arn, Message: aws.String("m")}, &denied},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := tc.client.Publish(ctx, tc.in)
			if !errors.As(err, tc.want) {
				t.Fatalf("Publish = %v, want %T", err, tc.want)
			}
		})
	}
	if _, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("bad name!")}); !errors.As(err, &invalid) {
		t.Fatalf("CreateTopic with a bad name: %v", err)
	}
	if len(f.sns.Messages()) != 0 {
		t.Fatal("a refused publish was recorded")
	}
}
