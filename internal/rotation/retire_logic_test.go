package rotation

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// TestRetireStateCheck: which key states each retire procedure starts
// from, which say there is nothing to do (exit 0), and which are refused.
func TestRetireStateCheck(t *testing.T) {
	const arn = "arn:aws:kms:eu-west-1:111111111111:key/k"
	tests := []struct {
		name  string
		s     Strategy
		state types.KeyState
		want  error // nil: allowed
	}{
		{"retire an enabled key", Retire, types.KeyStateEnabled, nil},
		{"retire a disabled key", Retire, types.KeyStateDisabled, ErrNothingToDo},
		{"retire a key pending deletion", Retire, types.KeyStatePendingDeletion, ErrNothingToDo},
		{"retire a key pending import", Retire, types.KeyStatePendingImport, ErrRetireState},
		{"undo a disabled key", RetireUndo, types.KeyStateDisabled, nil},
		{"undo an enabled key", RetireUndo, types.KeyStateEnabled, ErrNothingToDo},
		{"undo a key pending deletion", RetireUndo, types.KeyStatePendingDeletion, ErrRetireState},
		{"undo a key pending import", RetireUndo, types.KeyStatePendingImport, ErrRetireState},
		{"delete a disabled key", ScheduleDeletion, types.KeyStateDisabled, nil},
		{"delete an enabled key", ScheduleDeletion, types.KeyStateEnabled, ErrNotRetired},
		{"delete a key pending deletion", ScheduleDeletion, types.KeyStatePendingDeletion, ErrNothingToDo},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			md := &types.KeyMetadata{Arn: aws.String(arn), KeyState: tc.state, DeletionDate: aws.Time(time.Now())}
			err := (&Engine{}).retireStateCheck(tc.s, md)
			if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestRetireOptionsCheck(t *testing.T) {
	day := 24 * time.Hour
	ok := RetireOptions{QuietFor: 30 * day, DisabledFor: 30 * day, PendingDays: 30}
	tests := []struct {
		name string
		s    Strategy
		edit func(*RetireOptions)
		want error
	}{
		{"defaults", Retire, func(*RetireOptions) {}, nil},
		{"no quiet period", Retire, func(o *RetireOptions) { o.QuietFor = 0 }, ErrRetireOptions},
		{"quiet beyond CloudTrail", Retire, func(o *RetireOptions) { o.QuietFor = 91 * day }, ErrRetireOptions},
		{"undo needs no quiet period", RetireUndo, func(o *RetireOptions) { o.QuietFor = 0 }, nil},
		{"deletion window 7", ScheduleDeletion, func(o *RetireOptions) { o.PendingDays = 7 }, nil},
		{"deletion window 6", ScheduleDeletion, func(o *RetireOptions) { o.PendingDays = 6 }, ErrRetireOptions},
		{"deletion window 31", ScheduleDeletion, func(o *RetireOptions) { o.PendingDays = 31 }, ErrRetireOptions},
		{"disabled-for 0", ScheduleDeletion, func(o *RetireOptions) { o.DisabledFor = 0 }, nil},
		{"negative disabled-for", ScheduleDeletion, func(o *RetireOptions) { o.DisabledFor = -day }, ErrRetireOptions},
		{"a rotation strategy", InPlace, func(*RetireOptions) {}, ErrUnknownStrategy},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := ok
			tc.edit(&o)
			err := o.check(tc.s)
			if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestDisabledAt: since when CloudTrail says a key is disabled.
func TestDisabledAt(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	ev := func(name, code string, days int) cttypes.Event {
		rec := `{"eventName":"` + name + `","errorCode":"` + code + `"}`
		return cttypes.Event{EventTime: aws.Time(t0.AddDate(0, 0, days)), CloudTrailEvent: aws.String(rec)}
	}
	tests := map[string]struct {
		events []cttypes.Event
		want   time.Time
	}{
		"no event":                     {nil, time.Time{}},
		"one DisableKey":               {[]cttypes.Event{ev("DisableKey", "", 2)}, t0.AddDate(0, 0, 2)},
		"the newest DisableKey":        {[]cttypes.Event{ev("DisableKey", "", 5), ev("DisableKey", "", 2)}, t0.AddDate(0, 0, 5)},
		"an EnableKey after it":        {[]cttypes.Event{ev("EnableKey", "", 3), ev("DisableKey", "", 2)}, time.Time{}},
		"disabled again after enable":  {[]cttypes.Event{ev("DisableKey", "", 4), ev("EnableKey", "", 3), ev("DisableKey", "", 2)}, t0.AddDate(0, 0, 4)},
		"a failed DisableKey":          {[]cttypes.Event{ev("DisableKey", "AccessDeniedException", 2)}, time.Time{}},
		"a failed EnableKey after it":  {[]cttypes.Event{ev("EnableKey", "KMSInvalidStateException", 3), ev("DisableKey", "", 2)}, t0.AddDate(0, 0, 2)},
		"other events":                 {[]cttypes.Event{ev("Decrypt", "", 3), ev("DisableKey", "", 2)}, t0.AddDate(0, 0, 2)},
		"an unreadable record":         {[]cttypes.Event{{EventTime: aws.Time(t0), CloudTrailEvent: aws.String("{")}}, time.Time{}},
		"enable and disable same time": {[]cttypes.Event{ev("EnableKey", "", 2), ev("DisableKey", "", 2)}, time.Time{}},
	}
	for name, tc := range tests {
		if got := DisabledAt(tc.events); !got.Equal(tc.want) {
			t.Errorf("%s: DisabledAt = %v, want %v", name, got, tc.want)
		}
	}
}
