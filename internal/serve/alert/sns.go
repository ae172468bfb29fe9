package alert

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// Publisher is the SNS call SNS uses.
type Publisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// SNS publishes alerts to an SNS topic: the subject is the summary (SNS
// allows at most 100 characters) and the message the alert as text.
type SNS struct {
	Topic  string
	Client Publisher
}

// Name implements Sender.
func (s *SNS) Name() string { return "sns" }

// Send implements Sender.
func (s *SNS) Send(ctx context.Context, a Alert) error {
	subject := "byok " + a.Severity + ": " + a.Summary
	if len(subject) > 99 { // SNS: fewer than 100 characters
		subject = subject[:96] + "..."
	}
	msg := a.Summary + "\n\n" + a.Detail
	if a.Fix != "" {
		msg += "\n\nFix: " + a.Fix
	}
	_, err := s.Client.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(s.Topic), Subject: aws.String(asciiSubject(subject)),
		Message: aws.String(msg), MessageAttributes: nil})
	if err != nil {
		return fmt.Errorf("sns publish: %w", err)
	}
	return nil
}

// asciiSubject keeps what SNS accepts in a subject: printable ASCII, no
// line breaks (it answers InvalidParameter otherwise).
func asciiSubject(s string) string {
	b := []byte(s)
	out := b[:0]
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			out = append(out, c)
		}
	}
	return string(out)
}
