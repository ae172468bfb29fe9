package ctsvc

import "github.com/byok-dev/byok/internal/sandbox/trail"

// RecordMap is e as the CloudTrail record that LookupEvents returns in
// CloudTrailEvent and EventBridge delivers as an "AWS API Call via
// CloudTrail" event's detail, decoded (numbers as float64); nil when e
// cannot be encoded. Each call returns a new map.
func RecordMap(e trail.Event) map[string]any { return recordMap(e) }
