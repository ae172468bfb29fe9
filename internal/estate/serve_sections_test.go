package estate

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// serveBase is a valid estate of 10 lines; serve cases append from line 11.
const serveBase = `security_account: "111111111111"
regions: [eu-west-1]
hsm: "pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:BYOK_HSM_PIN"
roles:
  operator: "arn:aws:iam::111111111111:role/byok-operator"
  verify: "arn:aws:iam::{account}:role/byok-verify"
environments:
  dev: {account: "222222222222"}
  prod: {account: "333333333333"}
services: [s3, rds, dynamodb]
`

func serveDoc(lines ...string) []byte { return []byte(serveBase + strings.Join(lines, "\n") + "\n") }

func TestScheduleSection(t *testing.T) {
	e, err := Parse("s.yaml", serveDoc(
		"schedule:",
		`  rotation_windows:`,
		`    - {cron: "0 2 * * TUE", time_zone: Europe/Paris, duration: 2h}`,
		`    - {cron: "0 3 * * SAT", time_zone: UTC, duration: 3h}`,
		"  scan_interval: 6h",
		"alerts:",
		"  sns_topic: arn:aws:sns:eu-west-1:111111111111:byok-alerts",
		"  webhook: {url: https://hooks.example.com/byok, secret_file: /etc/byok/webhook.secret}",
	))
	if err != nil {
		t.Fatal(err)
	}
	s := e.Schedule
	if len(s.Windows) != 2 || s.ScanInterval != 6*time.Hour || s.ExpiryCheckInterval != DefaultExpiryCheckInterval ||
		s.KeyRotationTime != DefaultKeyRotationTime || s.Windows[0].Location.String() != "Europe/Paris" {
		t.Fatalf("schedule = %+v", s)
	}
	if e.Alerts.SNSTopic == "" || e.Alerts.Webhook != "https://hooks.example.com/byok" || e.Alerts.WebhookSecretFile != "/etc/byok/webhook.secret" {
		t.Fatalf("alerts = %+v", e.Alerts)
	}
	none, err := Parse("n.yaml", serveDoc())
	if err != nil || len(none.Schedule.Windows) != 0 || none.Schedule.WithDefaults().ExpiryCheckInterval != time.Hour {
		t.Fatalf("no schedule: %+v %v", none.Schedule, err)
	}
}

func TestScheduleErrors(t *testing.T) {
	tests := map[string]struct {
		lines []string
		class error
		field string
		line  int
		msg   string
	}{
		"bad cron": {[]string{"schedule:", "  rotation_windows:", `    - {cron: "0 25 * * TUE", time_zone: UTC, duration: 2h}`},
			ErrSchedule, "schedule.rotation_windows[0].cron", 13, "invalid cron"},
		"bad zone": {[]string{"schedule:", "  rotation_windows:", `    - {cron: "0 2 * * TUE", time_zone: Europe/Pariss, duration: 2h}`},
			ErrSchedule, "schedule.rotation_windows[0].time_zone", 13, "IANA"},
		"overlap": {[]string{"schedule:", "  rotation_windows:", `    - {cron: "0 2 * * TUE", time_zone: Europe/Paris, duration: 2h}`,
			`    - {cron: "30 1 * * TUE", time_zone: UTC, duration: 1h}`}, ErrSchedule, "schedule.rotation_windows", 13, "overlap"},
		"too short": {[]string{"schedule:", "  key_rotation_time: 45m", "  rotation_windows:", `    - {cron: "0 2 * * *", time_zone: UTC, duration: 30m}`},
			ErrSchedule, "schedule.rotation_windows", 14, "shorter than one key's rotation"},
		"missing zone": {[]string{"schedule:", "  rotation_windows:", `    - {cron: "0 2 * * *", duration: 2h}`},
			ErrMissing, "schedule.rotation_windows[0].time_zone", 13, ""},
		"unknown field": {[]string{"schedule:", "  scan_every: 1h"}, ErrUnknownField, "schedule.scan_every", 12, ""},
		"bad interval":  {[]string{"schedule:", "  scan_interval: soon"}, ErrDuration, "schedule.scan_interval", 12, ""},
		"bad topic":     {[]string{"alerts:", "  sns_topic: byok-alerts"}, ErrAlert, "alerts.sns_topic", 12, "not an SNS topic ARN"},
		"bad webhook":   {[]string{"alerts:", "  webhook: {url: ftp://x, secret_file: /s}"}, ErrAlert, "alerts.webhook.url", 12, "http(s)"},
		"relative secret": {[]string{"alerts:", "  webhook: {url: https://x.example, secret_file: secret}"},
			ErrAlert, "alerts.webhook.secret_file", 12, "absolute"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("s.yaml", serveDoc(tc.lines...))
			var found *Error
			for _, e := range Errors(err) {
				if errors.Is(e, tc.class) && e.Field == tc.field {
					found = e
				}
			}
			if found == nil {
				t.Fatalf("want %v at %s; got %v", tc.class, tc.field, err)
			}
			if found.Line != tc.line || !strings.Contains(found.Error(), tc.msg) {
				t.Fatalf("got %v (line %d), want line %d containing %q", found, found.Line, tc.line, tc.msg)
			}
		})
	}
}

// FuzzParseServeSections: the schedule and alerts sections keep Parse's
// contract (an estate or only *Error values).
func FuzzParseServeSections(f *testing.F) {
	f.Add(string(serveDoc("schedule:", "  rotation_windows:", `    - {cron: "0 2 * * TUE", time_zone: Europe/Paris, duration: 2h}`)))
	f.Add(string(serveDoc("schedule: {rotation_windows: [{cron: '* * * * *', time_zone: UTC, duration: 1d}]}")))
	f.Add(string(serveDoc("alerts: {sns_topic: 'arn:aws:sns:eu-west-1:111111111111:t', webhook: {url: 'http://[::1]:9', secret_file: /s}}")))
	f.Fuzz(func(t *testing.T, doc string) {
		e, err := Parse("fuzz.yaml", []byte(doc))
		if (e == nil) == (err == nil) {
			t.Fatalf("estate %v and error %v", e, err)
		}
		for _, x := range Errors(err) {
			if x.Err == nil || x.Msg == "" {
				t.Fatalf("incomplete error %#v", x)
			}
		}
	})
}
