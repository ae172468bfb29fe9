package rotation

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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
