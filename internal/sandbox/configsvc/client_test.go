package configsvc

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FetchEvents classifies what the admin endpoint answers.
func TestFetchEventsErrors(t *testing.T) {
	answers := map[string]struct {
		status int
		body   string
		want   error
	}{
		"rejected request": {400, `{"error":"config event request: account must be a 12-digit account ID"}`, ErrEventRequest},
		"server error":     {500, `{"error":"record configuration: disk full"}`, ErrAdmin},
		"not events":       {200, `<html>`, ErrAdmin},
		"not a sandbox":    {404, `404 page not found`, ErrAdmin},
	}
	req := EventRequest{Account: "222222222222", Region: "eu-west-1", RuleName: "r", MessageType: "scheduled"}
	for name, tc := range answers {
		t.Run(name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer ts.Close()
			_, err := FetchEvents(context.Background(), ts.Client(), ts.URL, req)
			if !errors.Is(err, tc.want) || strings.Contains(err.Error(), "config event request: config event request") {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	bad := req
	bad.MessageType = "hourly"
	if _, err := FetchEvents(context.Background(), http.DefaultClient, "http://127.0.0.1:1", bad); !errors.Is(err, ErrEventRequest) {
		t.Fatalf("invalid request: %v", err)
	}
	if _, err := FetchEvents(context.Background(), http.DefaultClient, "http://127.0.0.1:1", req); !errors.Is(err, ErrAdmin) {
		t.Fatalf("nothing listening: %v", err)
	}
}

// FuzzDecodeEvents: any answer decodes or fails with ErrEventRequest or
// ErrAdmin, never a panic.
func FuzzDecodeEvents(f *testing.F) {
	f.Add(200, []byte(`{"events":[{"invokingEvent":"{}","resultToken":"t"}]}`))
	f.Add(200, []byte(`{"events":null}`))
	f.Add(400, []byte(`{"error":"config event request: x"}`))
	f.Add(502, []byte(`bad gateway`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		_, err := decodeEvents(status, body)
		if err != nil && !errors.Is(err, ErrEventRequest) && !errors.Is(err, ErrAdmin) {
			t.Fatalf("unclassified error %v", err)
		}
		if status != 200 && err == nil {
			t.Fatalf("HTTP %d accepted", status)
		}
	})
}
