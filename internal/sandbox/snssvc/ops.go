package snssvc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

var (
	topicNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	topicARNRE  = regexp.MustCompile(`^arn:aws:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256})$`)
)

// maxMessage is SNS's limit: 256 KB (262,144 bytes).
const maxMessage = 262144

func invalid(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf("InvalidParameter", "Invalid parameter: "+format, args...)
}

func notFound(what string) *awsproto.Error {
	return &awsproto.Error{Status: http.StatusNotFound, Code: "NotFound", Message: what + " does not exist"}
}

func (s *Service) createTopic(c *svc.Call, f url.Values) (any, *awsproto.Error) {
	name := f.Get("Name")
	if !topicNameRE.MatchString(name) {
		return nil, invalid("Topic Name")
	}
	arn := fmt.Sprintf("arn:%s:sns:%s:%s:%s", s.env.Partition, c.Region, c.Caller.Account, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.topics[arn]; !ok {
		s.topics[arn] = &topic{arn: arn, account: c.Caller.Account, region: c.Region, name: name}
	}
	return createTopicResponse{Xmlns: xmlns, TopicArn: arn, Meta: meta(c)}, nil
}

// lookup finds the caller's topic: another account's topic is an
// AuthorizationError (the sandbox has no topic policies), a missing one NotFound.
func (s *Service) lookup(c *svc.Call, arn string) (*topic, *awsproto.Error) {
	m := topicARNRE.FindStringSubmatch(arn)
	if m == nil {
		return nil, invalid("TopicArn")
	}
	t, ok := s.topics[arn]
	if m[2] != c.Caller.Account {
		return nil, &awsproto.Error{Status: http.StatusForbidden, Code: "AuthorizationError",
			Message: fmt.Sprintf("User: %s is not authorized to perform: SNS:%s on resource: %s", c.Caller.ARN, c.Op, arn)}
	}
	if !ok || m[1] != c.Region {
		return nil, notFound("Topic")
	}
	return t, nil
}

func (s *Service) deleteTopic(c *svc.Call, f url.Values) (any, *awsproto.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(c, f.Get("TopicArn"))
	if err != nil && err.Code != "NotFound" {
		return nil, err
	}
	if t != nil {
		delete(s.topics, t.arn)
	}
	return emptyResponse{XMLName: "DeleteTopicResponse", Xmlns: xmlns, Meta: meta(c)}, nil
}

func (s *Service) listTopics(c *svc.Call) (any, *awsproto.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := listTopicsResponse{Xmlns: xmlns, Meta: meta(c)}
	for arn, t := range s.topics {
		if t.account == c.Caller.Account && t.region == c.Region {
			out.Topics = append(out.Topics, topicMember{TopicArn: arn})
		}
	}
	sort.Slice(out.Topics, func(i, j int) bool { return out.Topics[i].TopicArn < out.Topics[j].TopicArn })
	return out, nil
}

func (s *Service) publish(c *svc.Call, f url.Values) (any, *awsproto.Error) {
	msg, subject := f.Get("Message"), f.Get("Subject")
	switch {
	case f.Get("TopicArn") == "" && (f.Get("TargetArn") != "" || f.Get("PhoneNumber") != ""):
		return nil, invalid("the sandbox publishes to topics only (TopicArn)")
	case !f.Has("Message"):
		return nil, invalid("Message")
	case msg == "":
		return nil, invalid("Empty message")
	case len(msg) > maxMessage || !utf8.ValidString(msg):
		return nil, invalid("Message too long or not UTF-8")
	case f.Has("Subject") && !validSubject(subject):
		return nil, invalid("Subject")
	}
	if ms := f.Get("MessageStructure"); ms != "" && ms != "json" {
		return nil, invalid("MessageStructure")
	} else if ms == "json" && !json.Valid([]byte(msg)) {
		return nil, invalid("Message Structure - JSON message body failed to parse")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(c, f.Get("TopicArn"))
	if err != nil {
		return nil, err
	}
	id := awsproto.NewRequestID()
	s.messages = append(s.messages, Message{MessageID: id, TopicARN: t.arn, Subject: subject, Message: msg,
		Publisher: c.Caller.ARN, Time: c.Now.Format("2006-01-02T15:04:05.000Z")})
	return publishResponse{Xmlns: xmlns, MessageID: id, Meta: meta(c)}, nil
}

// validSubject: SNS subjects are 1-99 printable ASCII characters, with no
// line breaks or control characters.
func validSubject(s string) bool {
	if s == "" || len(s) >= 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

var protocols = map[string]bool{"http": true, "https": true, "email": true, "email-json": true, "sqs": true, "lambda": true, "sms": true, "application": true, "firehose": true}

func (s *Service) subscribe(c *svc.Call, f url.Values) (any, *awsproto.Error) {
	proto, endpoint := f.Get("Protocol"), f.Get("Endpoint")
	if !protocols[proto] {
		return nil, invalid("Invalid protocol type: %s", proto)
	}
	if endpoint == "" || (strings.HasPrefix(proto, "http") && !strings.HasPrefix(endpoint, proto+"://")) {
		return nil, invalid("Invalid parameter: Endpoint")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(c, f.Get("TopicArn"))
	if err != nil {
		return nil, err
	}
	s.nextSub++
	sub := subscription{arn: fmt.Sprintf("%s:%08d-0000-4000-8000-000000000000", t.arn, s.nextSub), protocol: proto, endpoint: endpoint, owner: c.Caller.Account}
	t.subs = append(t.subs, sub)
	arn := sub.arn
	if proto != "sqs" && proto != "lambda" && proto != "firehose" && f.Get("ReturnSubscriptionArn") != "true" {
		arn = "pending confirmation"
	}
	return subscribeResponse{Xmlns: xmlns, SubscriptionArn: arn, Meta: meta(c)}, nil
}

func (s *Service) listSubscriptions(c *svc.Call, f url.Values) (any, *awsproto.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ts []*topic
	if c.Op == "ListSubscriptionsByTopic" {
		t, err := s.lookup(c, f.Get("TopicArn"))
		if err != nil {
			return nil, err
		}
		ts = []*topic{t}
	} else {
		for _, t := range s.topics {
			if t.account == c.Caller.Account && t.region == c.Region {
				ts = append(ts, t)
			}
		}
	}
	out := listSubscriptionsResponse{XMLName: c.Op + "Response", Xmlns: xmlns, Meta: meta(c)}
	for _, t := range ts {
		for _, sub := range t.subs {
			out.Result.Subs = append(out.Result.Subs, subMember{SubscriptionArn: sub.arn, Owner: sub.owner,
				Protocol: sub.protocol, Endpoint: sub.endpoint, TopicArn: t.arn})
		}
	}
	sort.Slice(out.Result.Subs, func(i, j int) bool { return out.Result.Subs[i].SubscriptionArn < out.Result.Subs[j].SubscriptionArn })
	return out, nil
}
