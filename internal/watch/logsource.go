package watch

import (
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// Logs is CloudWatch Logs FilterLogEvents, which LogSource reads.
type Logs interface {
	FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

// LogSource reads the log group an EventBridge rule fills with the failed
// KMS calls CloudTrail reports (deploy/: the rule matches source aws.kms,
// detail-type "AWS API Call via CloudTrail" and an errorCode). It holds
// failures only, so its volume does not grow with the account's traffic:
// a Watcher on it never falls back to per-key lookups.
func LogSource(l Logs, group string) Source { return logSource{l: l, group: group} }

type logSource struct {
	l     Logs
	group string
}

func (s logSource) name() string { return "CloudWatch Logs group " + s.group }

// window pages FilterLogEvents over [from, to]. A log event's timestamp is
// the EventBridge event's time (the CloudTrail eventTime, whole seconds);
// the bounds are inclusive milliseconds. FilterLogEvents may return an
// empty page with a token while it searches: the paginator follows it.
func (s logSource) window(ctx context.Context, from, to time.Time, page func([]event, bool) error) error {
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(s.group),
		StartTime: aws.Int64(from.UnixMilli()), EndTime: aws.Int64(to.UnixMilli())}
	p := cloudwatchlogs.NewFilterLogEventsPaginator(s.l, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		evs := make([]event, 0, len(out.Events))
		for _, le := range out.Events {
			evs = append(evs, logEvent(aws.ToString(le.EventId), aws.ToInt64(le.Timestamp), aws.ToString(le.Message)))
		}
		if err := page(evs, p.HasMorePages()); err != nil {
			return err
		}
	}
	return nil
}

// logEvent reads one log event (its ID, timestamp in ms, message). A
// message that is not a CloudTrail KMS event (something else writes to
// the group) is seen but judged by no key.
func logEvent(id string, ms int64, msg string) event {
	at := time.UnixMilli(ms).UTC()
	b, err := parseBridgeEvent([]byte(msg))
	if err != nil {
		return event{id: "log:" + id, at: at}
	}
	return b.event(at)
}

// SourceFailures returns the failed KMS calls on keyARN in [since, until]
// that src holds, as seen from account, except own's, grouped as
// FailuresExcept groups them: CloudTrail is looked up by the key
// (ResourceName); a log group of failures is read whole over the window
// and filtered here (it holds failures only).
func SourceFailures(ctx context.Context, src Source, account, keyARN string, since, until time.Time, own Own) ([]Failure, error) {
	if t, ok := src.(trailSource); ok {
		return FailuresExcept(ctx, t.t, account, keyARN, since, until, own)
	}
	groups := map[string]*Failure{}
	seen := map[string]bool{}
	err := src.window(ctx, since, until, func(evs []event, _ bool) error {
		for _, ev := range evs {
			if seen[ev.id] || !ev.ok || ev.rec.ErrorCode == "" || !slices.Contains(keysOf(ev), keyARN) {
				continue
			}
			seen[ev.id] = true
			addRecord(groups, account, ev.rec, ev.at, own)
		}
		return nil
	})
	if err != nil {
		return nil, &WatchError{Account: account, Source: src.name(), Err: err}
	}
	return sorted(groups), nil
}
