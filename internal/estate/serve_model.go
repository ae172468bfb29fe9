package estate

import (
	"errors"
	"time"

	"github.com/byok-dev/byok/internal/serve/schedule"
)

// Sentinels of the schedule: and alerts: sections (byok serve).
var (
	ErrSchedule = errors.New("invalid schedule")
	ErrAlert    = errors.New("invalid alert destination")
)

// Defaults of the schedule: section.
const (
	DefaultExpiryCheckInterval = time.Hour
	// DefaultKeyRotationTime is what one key's rotation may take (plan,
	// canaries, HSM, import, RotateKeyOnDemand, verify from every account
	// and a 15-minute CloudTrail watch): a window must be at least this long.
	DefaultKeyRotationTime = 30 * time.Minute
)

// Schedule is what byok serve does on its own: rotate due keys inside the
// rotation windows, scan every ScanInterval (0: never on its own), and
// check key material expiry every ExpiryCheckInterval. An estate without
// schedule: has the zero Schedule; WithDefaults gives its intervals.
type Schedule struct {
	Windows             []schedule.Window
	ScanInterval        time.Duration
	ExpiryCheckInterval time.Duration
	KeyRotationTime     time.Duration
}

// Alerts are where byok serve sends alerts. Either may be empty.
type Alerts struct {
	// SNSTopic is an SNS topic ARN.
	SNSTopic string
	// Webhook is an http(s) URL receiving a JSON body signed with
	// HMAC-SHA256 under the secret read from WebhookSecretFile.
	Webhook           string
	WebhookSecretFile string
}

// WithDefaults fills the intervals an estate without schedule: leaves zero.
func (s Schedule) WithDefaults() Schedule {
	if s.ExpiryCheckInterval == 0 {
		s.ExpiryCheckInterval = DefaultExpiryCheckInterval
	}
	if s.KeyRotationTime == 0 {
		s.KeyRotationTime = DefaultKeyRotationTime
	}
	return s
}

func defaultSchedule() Schedule {
	return Schedule{ExpiryCheckInterval: DefaultExpiryCheckInterval, KeyRotationTime: DefaultKeyRotationTime}
}
