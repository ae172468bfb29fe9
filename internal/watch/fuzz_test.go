package watch

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// FuzzWatcherAdd feeds arbitrary CloudTrail records and resource names to
// the watcher's index: it never panics, keeps only failed calls, and files
// them only under KMS key ARNs.
func FuzzWatcherAdd(f *testing.F) {
	f.Add(`{"eventSource":"kms.amazonaws.com","errorCode":"AccessDeniedException","requestParameters":{"keyId":"`+keyA+`"}}`, keyB)
	f.Add(`{"errorCode":"X","requestParameters":null}`, "alias/dev/s3")
	f.Add(`{"errorCode":"X","requestParameters":{"keyId":{"nested":1}}}`, "")
	f.Add(`{"errorCode":"","requestParameters":{"keyId":"`+keyA+`"}}`, keyA)
	f.Add(`not json`, keyA)
	f.Fuzz(func(t *testing.T, record, resource string) {
		w := NewWatcher(nil, "111111111111", t0)
		e := types.Event{EventId: aws.String("e1"), EventTime: aws.Time(t0), CloudTrailEvent: aws.String(record),
			Resources: []types.Resource{{ResourceName: aws.String(resource)}}}
		w.add(trailEvent(e))
		w.add(trailEvent(e))
		for arn, calls := range w.failed {
			if !isKeyARN(arn) {
				t.Fatalf("filed under %q, not a key ARN", arn)
			}
			if len(calls) != 1 || calls[0].rec.ErrorCode == "" {
				t.Fatalf("under %s: %+v, want the one failed call once", arn, calls)
			}
		}
	})
}
