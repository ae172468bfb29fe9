package logssvc_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func messages(evs []types.OutputLogEvent) string {
	var out []string
	for _, e := range evs {
		out = append(out, aws.ToString(e.Message))
	}
	return fmt.Sprint(out)
}

// TestGetLogEvents: the newest page by default, the oldest with
// startFromHead, forward and backward tokens, and endTime exclusive (as
// GetLogEvents documents it, unlike FilterLogEvents).
func TestGetLogEvents(t *testing.T) {
	sb, c := newSandbox(t)
	setupStream(t, c, "g", "s")
	must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("other")}))
	base := sb.Now().Add(-time.Minute).Truncate(time.Second)
	must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: events(base, "e0", "e1", "e2", "e3", "e4")}))
	must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("other"),
		LogEvents: events(base, "x")}))
	get := func(in cwl.GetLogEventsInput) *cwl.GetLogEventsOutput {
		in.LogGroupName, in.LogStreamName = aws.String("g"), aws.String("s")
		return must(c.GetLogEvents(ctx, &in))
	}
	if got := messages(get(cwl.GetLogEventsInput{Limit: aws.Int32(2)}).Events); got != "[e3 e4]" {
		t.Fatalf("newest page = %s", got)
	}
	head := get(cwl.GetLogEventsInput{Limit: aws.Int32(2), StartFromHead: aws.Bool(true)})
	if got := messages(head.Events); got != "[e0 e1]" {
		t.Fatalf("head page = %s", got)
	}
	next := get(cwl.GetLogEventsInput{Limit: aws.Int32(2), NextToken: head.NextForwardToken})
	if got := messages(next.Events); got != "[e2 e3]" {
		t.Fatalf("forward page = %s", got)
	}
	back := get(cwl.GetLogEventsInput{Limit: aws.Int32(2), NextToken: next.NextBackwardToken})
	if got := messages(back.Events); got != "[e0 e1]" {
		t.Fatalf("backward page = %s", got)
	}
	last := get(cwl.GetLogEventsInput{NextToken: next.NextForwardToken})
	end := get(cwl.GetLogEventsInput{NextToken: last.NextForwardToken})
	if messages(last.Events) != "[e4]" || len(end.Events) != 0 || aws.ToString(end.NextForwardToken) != aws.ToString(last.NextForwardToken) {
		t.Fatalf("end of stream: %s then %s, tokens %q %q", messages(last.Events), messages(end.Events),
			aws.ToString(last.NextForwardToken), aws.ToString(end.NextForwardToken))
	}
	ranged := get(cwl.GetLogEventsInput{StartTime: aws.Int64(base.UnixMilli() + 1), EndTime: aws.Int64(base.UnixMilli() + 3), StartFromHead: aws.Bool(true)})
	if got := messages(ranged.Events); got != "[e1 e2]" {
		t.Fatalf("[start, end) = %s", got)
	}
	_, err := c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("nope")})
	wantErr[*types.ResourceNotFoundException](t, err)
	_, err = c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: aws.String("x/abc")})
	wantErr[*types.InvalidParameterException](t, err)
}

func TestDescribeLogStreams(t *testing.T) {
	sb, c := newSandbox(t)
	setupStream(t, c, "g", "b")
	for _, n := range []string{"a", "c"} {
		must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(n)}))
	}
	_, err := c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a")})
	wantErr[*types.ResourceAlreadyExistsException](t, err)
	_, err = c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a:b")})
	wantErr[*types.InvalidParameterException](t, err)
	now := sb.Now()
	for i, n := range []string{"c", "a", "b"} { // last event times: c oldest, b newest
		must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(n),
			LogEvents: events(now.Add(time.Duration(i)*time.Second), "m")}))
	}
	names := func(in cwl.DescribeLogStreamsInput) string {
		in.LogGroupName = aws.String("g")
		var out []string
		p := cwl.NewDescribeLogStreamsPaginator(c, &in)
		for p.HasMorePages() {
			for _, s := range must(p.NextPage(ctx)).LogStreams {
				out = append(out, aws.ToString(s.LogStreamName))
			}
		}
		return fmt.Sprint(out)
	}
	if got := names(cwl.DescribeLogStreamsInput{Limit: aws.Int32(2)}); got != "[a b c]" {
		t.Fatalf("by name = %s", got)
	}
	if got := names(cwl.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true)}); got != "[b a c]" {
		t.Fatalf("by last event, descending = %s", got)
	}
	_, err = c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"),
		OrderBy: types.OrderByLastEventTime, LogStreamNamePrefix: aws.String("a")})
	wantErr[*types.InvalidParameterException](t, err)
}
