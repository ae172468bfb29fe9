package awslimits

import "time"

// DynamoDB encryption-key switches (DynamoDB Developer Guide, "Service,
// account, and table quotas", encryption at rest): a table may switch
// between the AWS owned key, an AWS managed key and a customer managed key
// up to four times in each 24-hour window counted from the table's
// creation; when there was no switch in the past six hours one more is
// allowed. A switch to the AWS owned key is always allowed.
const (
	SSESwitchWindow    = 24 * time.Hour
	SSESwitchesFree    = 4
	SSESwitchQuietTime = 6 * time.Hour
)

// NextSSESwitch returns when the table created at created, whose earlier
// key switches happened at switches (any order), may next switch to a KMS
// key: now itself when a switch is allowed now.
func NextSSESwitch(created time.Time, switches []time.Time, now time.Time) time.Time {
	if now.Before(created) {
		return created
	}
	start := created.Add(now.Sub(created).Truncate(SSESwitchWindow))
	end := start.Add(SSESwitchWindow)
	n := 0
	var last time.Time
	for _, s := range switches {
		if s.After(last) {
			last = s
		}
		if !s.Before(start) && s.Before(end) {
			n++
		}
	}
	if n < SSESwitchesFree || !now.Before(last.Add(SSESwitchQuietTime)) {
		return now
	}
	if next := last.Add(SSESwitchQuietTime); next.Before(end) {
		return next
	}
	return end
}
