package ctsvc

import "github.com/byok-dev/byok/internal/sandbox/trail"

// RecordJSON renders e as the CloudTrail record JSON that LookupEvents
// returns in CloudTrailEvent and EventBridge delivers as an "AWS API Call
// via CloudTrail" event's detail.
func RecordJSON(e trail.Event) string { return record(e) }
