package estate

import (
	"net/url"
	"regexp"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/byok-dev/byok/internal/serve/schedule"
)

var snsTopicRE = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:[A-Za-z0-9_-]{1,256}$`)

// scheduleSection parses schedule: (see Schedule). Windows are checked
// for overlaps and against key_rotation_time once all are read.
func (p *parser) scheduleSection(n *yaml.Node, field string) Schedule {
	s := defaultSchedule()
	f, ok := p.mapping(n, field, []string{"rotation_windows", "scan_interval", "expiry_check_interval", "key_rotation_time"})
	if !ok {
		return s
	}
	for name, dst := range map[string]*time.Duration{"scan_interval": &s.ScanInterval,
		"expiry_check_interval": &s.ExpiryCheckInterval, "key_rotation_time": &s.KeyRotationTime} {
		if v, ok := f.get(name); ok {
			if d, ok := p.duration(v.val, join(field, name)); ok {
				*dst = d
			}
		}
	}
	v, ok := f.get("rotation_windows")
	if !ok {
		return s
	}
	items, ok := p.sequence(v.val, join(field, "rotation_windows"))
	if !ok {
		return s
	}
	for i, it := range items {
		if w, ok := p.rotationWindow(it, index(join(field, "rotation_windows"), i)); ok {
			s.Windows = append(s.Windows, w)
		}
	}
	if len(s.Windows) == len(items) && len(items) > 0 {
		if err := schedule.Check(s.Windows, s.KeyRotationTime, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
			p.fail(v.val, join(field, "rotation_windows"), ErrSchedule,
				"windows must not overlap and each must fit one key's rotation (key_rotation_time)", "%v", err)
		}
	}
	return s
}

func (p *parser) rotationWindow(n *yaml.Node, field string) (schedule.Window, bool) {
	f, ok := p.mapping(n, field, []string{"cron", "time_zone", "duration"})
	if !ok {
		return schedule.Window{}, false
	}
	p.require(f, field, "cron", "time_zone", "duration")
	c, okC := f.get("cron")
	z, okZ := f.get("time_zone")
	d, okD := f.get("duration")
	if !okC || !okZ || !okD {
		return schedule.Window{}, false
	}
	expr, ok1 := p.scalar(c.val, join(field, "cron"))
	tz, ok2 := p.scalar(z.val, join(field, "time_zone"))
	dur, ok3 := p.duration(d.val, join(field, "duration"))
	if !ok1 || !ok2 || !ok3 {
		return schedule.Window{}, false
	}
	w, err := schedule.ParseWindow(expr, tz, dur)
	if err != nil {
		at, name := c.val, "cron"
		if !isCronError(err) {
			at, name = z.val, "time_zone"
		}
		p.fail(at, join(field, name), ErrSchedule, `e.g. {cron: "0 2 * * TUE", time_zone: Europe/Paris, duration: 2h}`, "%v", err)
		return schedule.Window{}, false
	}
	return w, true
}

// alertsSection parses alerts: {sns_topic: ARN, webhook: {url, secret_file}}.
func (p *parser) alertsSection(n *yaml.Node, field string) Alerts {
	var a Alerts
	f, ok := p.mapping(n, field, []string{"sns_topic", "webhook"})
	if !ok {
		return a
	}
	if v, ok := f.get("sns_topic"); ok {
		if s, ok := p.scalar(v.val, join(field, "sns_topic")); ok {
			if !snsTopicRE.MatchString(s) {
				p.fail(v.val, join(field, "sns_topic"), ErrAlert, "an SNS topic ARN, e.g. arn:aws:sns:eu-west-1:111111111111:byok-alerts",
					"%q is not an SNS topic ARN", s)
			} else {
				a.SNSTopic = s
			}
		}
	}
	if v, ok := f.get("webhook"); ok {
		a.Webhook, a.WebhookSecretFile = p.webhook(v.val, join(field, "webhook"))
	}
	return a
}

func (p *parser) webhook(n *yaml.Node, field string) (string, string) {
	f, ok := p.mapping(n, field, []string{"url", "secret_file"})
	if !ok {
		return "", ""
	}
	p.require(f, field, "url", "secret_file")
	u, okU := f.get("url")
	s, okS := f.get("secret_file")
	if !okU || !okS {
		return "", ""
	}
	raw, ok1 := p.scalar(u.val, join(field, "url"))
	secret, ok2 := p.scalar(s.val, join(field, "secret_file"))
	if !ok1 || !ok2 {
		return "", ""
	}
	if pu, err := url.Parse(raw); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
		p.fail(u.val, join(field, "url"), ErrAlert, "an http(s) URL, e.g. https://hooks.example.com/byok", "%q is not an http(s) URL", raw)
		return "", ""
	}
	if secret == "" || secret[0] != '/' {
		p.fail(s.val, join(field, "secret_file"), ErrAlert, "an absolute path to a file readable only by byok (chmod 600)",
			"%q is not an absolute path", secret)
		return "", ""
	}
	return raw, secret
}
