package logssvc_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

const security = "111111111111"

var ctx = context.Background()

func client(t *testing.T, sb *sandboxrun.Sandbox) *cwl.Client {
	t.Helper()
	return cwl.NewFromConfig(sb.Config(ctx, security), func(o *cwl.Options) { o.RetryMaxAttempts = 1 })
}

func newSandbox(t *testing.T) (*sandboxrun.Sandbox, *cwl.Client) {
	sb := sandboxrun.NewTest(t, false)
	if err := sb.AddAccount(security, "security"); err != nil {
		t.Fatal(err)
	}
	return sb, client(t, sb)
}

// must returns v or stops the test (through a panic the testing package
// reports with the failing call's stack) when the SDK call failed.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

func wantErr[E error](t *testing.T, err error) E {
	t.Helper()
	var e E
	if !errors.As(err, &e) {
		t.Fatalf("error %v, want %T", err, e)
	}
	return e
}

func TestLogGroups(t *testing.T) {
	_, c := newSandbox(t)
	for _, n := range []string{"/byok/kms-failed-calls", "/aws/events/a", "/aws/events/b"} {
		must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(n)}))
	}
	_, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/aws/events/a")})
	wantErr[*types.ResourceAlreadyExistsException](t, err)
	_, err = c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("bad name!")})
	wantErr[*types.InvalidParameterException](t, err)

	out := must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/events/"), Limit: aws.Int32(1)}))
	if len(out.LogGroups) != 1 || aws.ToString(out.LogGroups[0].LogGroupName) != "/aws/events/a" || out.NextToken == nil {
		t.Fatalf("page 1 = %+v", out)
	}
	g := out.LogGroups[0]
	wantARN := "arn:aws:logs:eu-west-1:111111111111:log-group:/aws/events/a"
	if aws.ToString(g.Arn) != wantARN+":*" || aws.ToString(g.LogGroupArn) != wantARN {
		t.Fatalf("arn %q logGroupArn %q", aws.ToString(g.Arn), aws.ToString(g.LogGroupArn))
	}
	out = must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/events/"), NextToken: out.NextToken}))
	if len(out.LogGroups) != 1 || aws.ToString(out.LogGroups[0].LogGroupName) != "/aws/events/b" || out.NextToken != nil {
		t.Fatalf("page 2 = %+v", out)
	}

	_, err = c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/aws/events/a"), RetentionInDays: aws.Int32(2)})
	wantErr[*types.InvalidParameterException](t, err)
	must(c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/aws/events/a"), RetentionInDays: aws.Int32(7)}))
	_, err = c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/nope"), RetentionInDays: aws.Int32(7)})
	wantErr[*types.ResourceNotFoundException](t, err)

	must(c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/aws/events/a")}))
	_, err = c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/aws/events/a")})
	wantErr[*types.ResourceNotFoundException](t, err)
}

func setupStream(t *testing.T, c *cwl.Client, group, stream string) {
	t.Helper()
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(group)}))
	must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}))
}

func events(at time.Time, msgs ...string) []types.InputLogEvent {
	var out []types.InputLogEvent
	for i, m := range msgs {
		out = append(out, types.InputLogEvent{Timestamp: aws.Int64(at.UnixMilli() + int64(i)), Message: aws.String(m)})
	}
	return out
}

func TestPutLogEventsRules(t *testing.T) {
	sb, c := newSandbox(t)
	setupStream(t, c, "g", "s")
	now := sb.Now()
	put := func(evs []types.InputLogEvent) (*cwl.PutLogEventsOutput, error) {
		return c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: evs})
	}
	unordered := append(events(now, "b"), events(now.Add(-time.Second), "a")...)
	_, err := put(unordered)
	wantErr[*types.InvalidParameterException](t, err)
	span := append(events(now.Add(-25*time.Hour), "a"), events(now, "b")...)
	_, err = put(span)
	wantErr[*types.InvalidParameterException](t, err)
	_, err = c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("nope"), LogEvents: events(now, "x")})
	wantErr[*types.ResourceNotFoundException](t, err)

	out := must(put(events(now.Add(-15*24*time.Hour), "old", "old2")))
	if r := out.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 1 || r.TooNewLogEventStartIndex != nil {
		t.Fatalf("rejected = %+v", r)
	}
	if out := must(put(events(now, "ok"))); out.RejectedLogEventsInfo != nil {
		t.Fatalf("rejected = %+v", out.RejectedLogEventsInfo)
	}
	out = must(put(append(events(now, "ok2"), events(now.Add(3*time.Hour), "new")...)))
	if r := out.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.TooNewLogEventStartIndex) != 1 {
		t.Fatalf("rejected = %+v", r)
	}
	got := must(c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g")}))
	if len(got.Events) != 2 || aws.ToString(got.Events[0].Message) != "ok" || aws.ToString(got.Events[1].Message) != "ok2" {
		t.Fatalf("stored = %+v", got.Events)
	}
	e := got.Events[0]
	if aws.ToString(e.LogStreamName) != "s" || aws.ToString(e.EventId) == "" || aws.ToInt64(e.IngestionTime) < now.UnixMilli() {
		t.Fatalf("event fields = %+v", e)
	}
}

func TestFilterLogEvents(t *testing.T) {
	sb, c := newSandbox(t)
	setupStream(t, c, "g", "s1")
	must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s2")}))
	base := sb.Now().Add(-time.Hour).Truncate(time.Second)
	for i := 0; i < 10; i++ {
		stream := []string{"s1", "s2"}[i%2]
		msg := fmt.Sprintf(`{"errorCode":"AccessDenied","n":%d}`, i)
		if i%3 == 0 {
			msg = fmt.Sprintf(`{"n":%d}`, i)
		}
		must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(stream),
			LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(base.UnixMilli() + int64(i)*1000), Message: aws.String(msg)}}}))
	}
	cases := map[string]struct {
		in   cwl.FilterLogEventsInput
		want int
	}{
		"all":             {cwl.FilterLogEventsInput{}, 10},
		"term":            {cwl.FilterLogEventsInput{FilterPattern: aws.String("AccessDenied")}, 6},
		"quoted":          {cwl.FilterLogEventsInput{FilterPattern: aws.String(`"\"n\":4"`)}, 1},
		"exclude":         {cwl.FilterLogEventsInput{FilterPattern: aws.String("-AccessDenied")}, 4},
		"stream":          {cwl.FilterLogEventsInput{LogStreamNames: []string{"s2"}}, 5},
		"inclusive range": {cwl.FilterLogEventsInput{StartTime: aws.Int64(base.UnixMilli() + 2000), EndTime: aws.Int64(base.UnixMilli() + 4000)}, 3},
		"by arn":          {cwl.FilterLogEventsInput{LogGroupIdentifier: aws.String("arn:aws:logs:eu-west-1:111111111111:log-group:g:*")}, 10},
		"json pattern":    {cwl.FilterLogEventsInput{FilterPattern: aws.String(`{ $.errorCode = "AccessDenied" && $.n > 3 }`)}, 4},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := tc.in
			if in.LogGroupIdentifier == nil {
				in.LogGroupName = aws.String("g")
			}
			if n := len(filterAll(t, c, &in, 3)); n != tc.want {
				t.Fatalf("%d events, want %d", n, tc.want)
			}
		})
	}
	_, err := c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String(`[ip, user, status]`)})
	wantErr[*types.InvalidParameterException](t, err)
	_, err = c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), LogGroupIdentifier: aws.String("g")})
	wantErr[*types.InvalidParameterException](t, err)
	_, err = c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("nope")})
	wantErr[*types.ResourceNotFoundException](t, err)
}

func filterAll(t *testing.T, c *cwl.Client, in *cwl.FilterLogEventsInput, page int32) []types.FilteredLogEvent {
	t.Helper()
	in.Limit = aws.Int32(page)
	var out []types.FilteredLogEvent
	p := cwl.NewFilterLogEventsPaginator(c, in)
	for p.HasMorePages() {
		pg := must(p.NextPage(ctx))
		out = append(out, pg.Events...)
	}
	return out
}

// TestPaginationStableWhileAdding: events put between pages appear in later
// pages without repeating or skipping the earlier ones.
func TestPaginationStableWhileAdding(t *testing.T) {
	sb, c := newSandbox(t)
	setupStream(t, c, "g", "s")
	now := sb.Now()
	must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: events(now, "a", "b", "c")}))
	p1 := must(c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), Limit: aws.Int32(2)}))
	must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: events(now.Add(time.Second), "d")}))
	p2 := must(c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), NextToken: p1.NextToken}))
	var got []string
	for _, e := range append(p1.Events, p2.Events...) {
		got = append(got, aws.ToString(e.Message))
	}
	if fmt.Sprint(got) != "[a b c d]" {
		t.Fatalf("pages = %v", got)
	}
}

func TestResourcePolicies(t *testing.T) {
	_, c := newSandbox(t)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["events.amazonaws.com","delivery.logs.amazonaws.com"]},` +
		`"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:eu-west-1:111111111111:log-group:/byok/*:*"}]}`
	out := must(c.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyName: aws.String("byok-events"), PolicyDocument: aws.String(doc)}))
	if aws.ToString(out.ResourcePolicy.PolicyDocument) != doc {
		t.Fatalf("put = %+v", out.ResourcePolicy)
	}
	_, err := c.PutResourcePolicy(ctx, &cwl.PutResourcePolicyInput{PolicyName: aws.String("bad"), PolicyDocument: aws.String("{")})
	wantErr[*types.InvalidParameterException](t, err)
	list := must(c.DescribeResourcePolicies(ctx, &cwl.DescribeResourcePoliciesInput{}))
	if len(list.ResourcePolicies) != 1 || aws.ToString(list.ResourcePolicies[0].PolicyName) != "byok-events" {
		t.Fatalf("describe = %+v", list.ResourcePolicies)
	}
	must(c.DeleteResourcePolicy(ctx, &cwl.DeleteResourcePolicyInput{PolicyName: aws.String("byok-events")}))
	_, err = c.DeleteResourcePolicy(ctx, &cwl.DeleteResourcePolicyInput{PolicyName: aws.String("byok-events")})
	wantErr[*types.ResourceNotFoundException](t, err)
}

// TestStateSurvivesRestart: groups, streams, retention and events are
// replayed from the state file.
func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.log")
	open := func() (*sandboxrun.Sandbox, *cwl.Client) {
		sb := sandboxrun.StartDurableTest(t, path, security, "security")
		return sb, client(t, sb)
	}
	sb, c := open()
	setupStream(t, c, "g", "s")
	must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: events(sb.Now(), "one", "two")}))
	setupStream(t, c, "gone", "s")
	must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("gone"), LogStreamName: aws.String("s"),
		LogEvents: events(sb.Now(), "x")}))
	must(c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("gone")}))
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	sb, c = open()
	defer sb.Close()
	got := must(c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g")}))
	if len(got.Events) != 2 || aws.ToString(got.Events[1].Message) != "two" {
		t.Fatalf("after restart = %+v", got.Events)
	}
	st := must(c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g")}))
	if len(st.LogStreams) != 1 || aws.ToInt64(st.LogStreams[0].LastEventTimestamp) == 0 {
		t.Fatalf("streams after restart = %+v", st.LogStreams)
	}
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("gone")}))
	must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("gone"), LogStreamName: aws.String("s")}))
	if again := must(c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("gone")})); len(again.Events) != 0 {
		t.Fatalf("a deleted group's events came back: %+v", again.Events)
	}
}
