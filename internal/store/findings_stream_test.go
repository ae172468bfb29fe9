package store

import (
	"context"
	"errors"
	"testing"
)

func feed(fs ...Finding) func(add func(Finding) error) error {
	return func(add func(Finding) error) error {
		for _, f := range fs {
			if err := add(f); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestSaveScanEach: findings fed one at a time are saved like SaveScan's;
// an invalid finding, a duplicate, a count other than announced, or the
// feeder's own error save nothing and say which.
func TestSaveScanEach(t *testing.T) {
	ctx := context.Background()
	a, b := finding("a", "NON_COMPLIANT", "UNENCRYPTED"), finding("b", "COMPLIANT", "KEY_COMPLIANT")
	errFeed := errors.New("spill unreadable")
	cases := map[string]struct {
		n    int
		each func(add func(Finding) error) error
		want error
	}{
		"saved":        {2, feed(a, b), nil},
		"duplicate":    {2, feed(a, a), ErrInvalid},
		"no verdict":   {1, feed(Finding{ResourceType: "AWS::S3::Bucket", ResourceID: "x"}), ErrInvalid},
		"fewer":        {3, feed(a, b), ErrInvalid},
		"feeder error": {2, func(add func(Finding) error) error { _ = add(a); return errFeed }, errFeed},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s, _ := openTemp(t)
			id, err := s.SaveScanEach(ctx, t0, c.n, c.each)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			scans, lerr := s.ListScans(ctx)
			if lerr != nil {
				t.Fatal(lerr)
			}
			if c.want != nil {
				if len(scans) != 0 {
					t.Fatalf("a failed save left %d scans", len(scans))
				}
				return
			}
			if len(scans) != 1 || scans[0].ID != id || scans[0].Count != 2 {
				t.Fatalf("scans %+v, want one of 2 findings with ID %d", scans, id)
			}
			got, err := s.ScanFindings(ctx, id)
			if err != nil || len(got) != 2 || got[0] != a || got[1] != b {
				t.Fatalf("findings %+v (%v), want %+v and %+v", got, err, a, b)
			}
		})
	}
}
