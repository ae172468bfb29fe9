package watch

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// event is one KMS call as a source delivers it: the CloudTrail eventID
// (what de-duplicates overlapping windows), its time, the resource ARNs
// the record names and the record itself.
type event struct {
	id        string
	at        time.Time
	resources []string
	rec       record
	// ok is false when the record could not be read: the event still
	// counts as seen (and read) but is judged by no key.
	ok bool
}

// Source is where a Watcher reads KMS calls: CloudTrail LookupEvents
// (TrailSource) or the log group an EventBridge rule fills with failed
// calls (LogSource).
type Source interface {
	// window reads every event with a time in [from, to], handing each
	// page to page with whether more pages follow; an error page returns
	// ends the read with that error.
	window(ctx context.Context, from, to time.Time, page func(evs []event, more bool) error) error
	// name says what the source reads, for errors.
	name() string
}

// TrailSource reads every KMS event of an account and Region through
// LookupEvents(EventSource=kms.amazonaws.com).
func TrailSource(t Trail) Source { return trailSource{t} }

type trailSource struct{ t Trail }

func (s trailSource) name() string { return "CloudTrail LookupEvents" }

func (s trailSource) window(ctx context.Context, from, to time.Time, page func([]event, bool) error) error {
	in := &cloudtrail.LookupEventsInput{
		LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventSource, AttributeValue: aws.String(kmsSource)}},
		StartTime:        aws.Time(from), EndTime: aws.Time(to),
	}
	p := cloudtrail.NewLookupEventsPaginator(s.t, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		evs := make([]event, 0, len(out.Events))
		for _, ev := range out.Events {
			evs = append(evs, trailEvent(ev))
		}
		if err := page(evs, p.HasMorePages()); err != nil {
			return err
		}
	}
	return nil
}

// trailEvent reads a LookupEvents event: its resources are what
// LookupEvents' ResourceName matches.
func trailEvent(ev types.Event) event {
	e := event{id: aws.ToString(ev.EventId), at: aws.ToTime(ev.EventTime)}
	e.ok = json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &e.rec) == nil
	for _, r := range ev.Resources {
		e.resources = append(e.resources, aws.ToString(r.ResourceName))
	}
	return e
}
