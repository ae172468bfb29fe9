package migrate

import (
	"errors"
	"testing"
	"time"
)

func TestParseSwitchEvent(t *testing.T) {
	const at = "2026-03-01T10:00:00Z"
	tests := map[string]struct {
		raw     string
		ok      bool
		wantErr error
	}{
		"switch to KMS":       {`{"eventTime":"` + at + `","eventSource":"dynamodb.amazonaws.com","eventName":"UpdateTable","requestParameters":{"sSESpecification":{"enabled":true,"sSEType":"KMS"}}}`, true, nil},
		"switch to owned key": {`{"eventTime":"` + at + `","eventSource":"dynamodb.amazonaws.com","eventName":"UpdateTable","requestParameters":{"sSESpecification":{"enabled":false}}}`, false, nil},
		"failed switch":       {`{"eventTime":"` + at + `","eventSource":"dynamodb.amazonaws.com","eventName":"UpdateTable","errorCode":"LimitExceededException","requestParameters":{"sSESpecification":{"enabled":true}}}`, false, nil},
		"billing change":      {`{"eventTime":"` + at + `","eventSource":"dynamodb.amazonaws.com","eventName":"UpdateTable","requestParameters":{"billingMode":"PAY_PER_REQUEST"}}`, false, nil},
		"other service":       {`{"eventTime":"` + at + `","eventSource":"kms.amazonaws.com","eventName":"UpdateTable"}`, false, nil},
		"not JSON":            {`{"eventTime":`, false, ErrBadEvent},
		"no time":             {`{"eventSource":"dynamodb.amazonaws.com"}`, false, ErrBadEvent},
		"bad time":            {`{"eventTime":"yesterday"}`, false, ErrBadEvent},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, ok, err := ParseSwitchEvent(tc.raw)
			if !errors.Is(err, tc.wantErr) || ok != tc.ok {
				t.Fatalf("ParseSwitchEvent = %v, %v, %v; want ok %v err %v", got, ok, err, tc.ok, tc.wantErr)
			}
			if err == nil && !got.Equal(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)) {
				t.Fatalf("time = %v", got)
			}
		})
	}
}

func FuzzParseSwitchEvent(f *testing.F) {
	for _, s := range []string{
		`{"eventTime":"2026-03-01T10:00:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"UpdateTable","requestParameters":{"sSESpecification":{"enabled":true}}}`,
		`{"eventTime":"2026-03-01T10:00:00Z","requestParameters":{"sSESpecification":null}}`,
		`{"requestParameters":[]}`, `null`, ``, `{`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		at, ok, err := ParseSwitchEvent(raw)
		if err != nil && (ok || !errors.Is(err, ErrBadEvent)) {
			t.Fatalf("error %v with ok %v", err, ok)
		}
		if ok && at.IsZero() {
			t.Fatal("a switch without a time")
		}
	})
}
