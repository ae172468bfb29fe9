package watch

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// add keeps ev if it is a failed KMS call not seen before, under every key
// ARN it names. Callers hold w.mu.
func (w *Watcher) add(ev types.Event) {
	id := aws.ToString(ev.EventId)
	at := aws.ToTime(ev.EventTime)
	if id != "" {
		if _, dup := w.seen[id]; dup {
			return
		}
		w.seen[id] = at
	}
	var r record
	if err := json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &r); err != nil || r.ErrorCode == "" {
		return
	}
	if r.EventSource != "" && r.EventSource != kmsSource {
		return
	}
	for _, arn := range keysOf(ev, r) {
		w.failed[arn] = append(w.failed[arn], failedCall{id: id, at: at, rec: r})
	}
}

// keysOf are the key ARNs an event names: its resources (what LookupEvents'
// ResourceName matches) and a key ARN in the request's keyId (a call
// refused before KMS resolved the key may carry no resource).
func keysOf(ev types.Event, r record) []string {
	var out []string
	seen := map[string]bool{}
	put := func(arn string) {
		if isKeyARN(arn) && !seen[arn] {
			seen[arn] = true
			out = append(out, arn)
		}
	}
	for _, res := range ev.Resources {
		put(aws.ToString(res.ResourceName))
	}
	put(r.RequestParameters.KeyID)
	return out
}

// isKeyARN reports whether s is arn:PARTITION:kms:REGION:ACCOUNT:key/ID.
func isKeyARN(s string) bool {
	parts := strings.SplitN(s, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "kms" && strings.HasPrefix(parts[5], "key/")
}

// forget drops the IDs of events older than from: no later window reaches
// back that far, so they cannot come again. Callers hold w.mu.
func (w *Watcher) forget(from time.Time) {
	for id, at := range w.seen {
		if at.Before(from) {
			delete(w.seen, id)
		}
	}
}
