package watch

import (
	"strings"
	"time"
)

// add keeps ev if it is a failed KMS call not seen before, under every key
// ARN it names. Callers hold w.mu.
func (w *Watcher) add(ev event) {
	if ev.id != "" {
		if _, dup := w.seen[ev.id]; dup {
			return
		}
		w.seen[ev.id] = ev.at
	}
	if !ev.ok || ev.rec.ErrorCode == "" {
		return
	}
	if ev.rec.EventSource != "" && ev.rec.EventSource != kmsSource {
		return
	}
	for _, arn := range keysOf(ev) {
		w.failed[arn] = append(w.failed[arn], failedCall{id: ev.id, at: ev.at, rec: ev.rec})
	}
}

// keysOf are the key ARNs an event names: its resources (what LookupEvents'
// ResourceName matches; the record's resources[].ARN in a log group) and a
// key ARN in the request's keyId (a call refused before KMS resolved the
// key may carry no resource).
func keysOf(ev event) []string {
	var out []string
	seen := map[string]bool{}
	put := func(arn string) {
		if isKeyARN(arn) && !seen[arn] {
			seen[arn] = true
			out = append(out, arn)
		}
	}
	for _, res := range ev.resources {
		put(res)
	}
	put(ev.rec.RequestParameters.KeyID)
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
