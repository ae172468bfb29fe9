package estate

import (
	"errors"
	"regexp"
	"time"

	"gopkg.in/yaml.v3"
)

// WatchSource is where the rotation's watch step reads failed KMS calls.
type WatchSource string

// Watch sources.
const (
	// WatchCloudTrail pages CloudTrail LookupEvents (EventSource
	// kms.amazonaws.com): no setup, but at most 2 × 50 events per second
	// per account and Region, so a busy account falls back to per-key
	// lookups.
	WatchCloudTrail WatchSource = "cloudtrail"
	// WatchEventBridge reads a CloudWatch Logs log group that an
	// EventBridge rule fills with the failed KMS calls CloudTrail reports
	// (deploy/: KmsFailedCallsLogGroup): its volume is the failures only.
	WatchEventBridge WatchSource = "eventbridge"
)

// Defaults of the watch: section (the names deploy/ templates create).
const (
	DefaultWatchLogGroup      = "/byok/kms-failed-calls"
	DefaultWatchRule          = "byok-kms-failed-calls"
	DefaultWatchDeliveryDelay = 5 * time.Second
	// maxDeliveryDelay bounds delivery_delay: every key's watch waits
	// that long, and CloudTrail's own delivery is minutes at worst.
	maxDeliveryDelay = 15 * time.Minute
)

// ErrWatch classes a bad watch: section.
var ErrWatch = errors.New("invalid watch source")

// Watch says where and how the watch step reads failed KMS calls.
type Watch struct {
	Source WatchSource
	// LogGroup and Rule name the log group and EventBridge rule (default
	// bus) of WatchEventBridge, the same in every account and Region.
	LogGroup string
	Rule     string
	// DeliveryDelay is how late an event may reach the source after the
	// call: the watcher's reads reach back (and forward) that far.
	DeliveryDelay time.Duration
}

// DefaultWatch is the watch of an estate without a watch: section.
func DefaultWatch() Watch {
	return Watch{Source: WatchCloudTrail, LogGroup: DefaultWatchLogGroup, Rule: DefaultWatchRule,
		DeliveryDelay: DefaultWatchDeliveryDelay}
}

// Log group and rule names as CloudWatch Logs and EventBridge accept them.
var (
	logGroupRE = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]{1,512}$`)
	ruleNameRE = regexp.MustCompile(`^[.\-_A-Za-z0-9]{1,64}$`)
)

// watchSection parses watch: {source, log_group, rule, delivery_delay}.
func (p *parser) watchSection(n *yaml.Node, field string) Watch {
	w := DefaultWatch()
	f, ok := p.mapping(n, field, []string{"source", "log_group", "rule", "delivery_delay"})
	if !ok {
		return w
	}
	if v, ok := f.get("source"); ok {
		w.Source = p.watchSource(v.val, join(field, "source"))
	}
	p.watchNames(f, field, &w)
	if v, ok := f.get("delivery_delay"); ok {
		if d, ok := p.duration(v.val, join(field, "delivery_delay")); ok && d > maxDeliveryDelay {
			p.fail(v.val, join(field, "delivery_delay"), ErrWatch, "CloudTrail delivers within minutes; write e.g. 5s or 1m",
				"delivery_delay %v is longer than %v", d, maxDeliveryDelay)
		} else if ok {
			w.DeliveryDelay = d
		}
	}
	return w
}

func (p *parser) watchSource(n *yaml.Node, field string) WatchSource {
	s, ok := p.scalar(n, field)
	if !ok {
		return WatchCloudTrail
	}
	switch WatchSource(s) {
	case WatchCloudTrail, WatchEventBridge:
		return WatchSource(s)
	}
	p.fail(n, field, ErrWatch, "write cloudtrail (LookupEvents, no setup) or eventbridge (the log group deploy/ creates)",
		"unknown watch source %q", s)
	return WatchCloudTrail
}

// watchNames reads log_group and rule, which only the eventbridge
// source reads: set with another source they are a mistake, not a no-op.
func (p *parser) watchNames(f fields, field string, w *Watch) {
	for _, it := range []struct {
		name, hint string
		re         *regexp.Regexp
		dst        *string
	}{
		{"log_group", "a CloudWatch Logs group name such as /byok/kms-failed-calls", logGroupRE, &w.LogGroup},
		{"rule", "an EventBridge rule name such as byok-kms-failed-calls", ruleNameRE, &w.Rule},
	} {
		v, ok := f.get(it.name)
		if !ok {
			continue
		}
		s, ok := p.scalar(v.val, join(field, it.name))
		switch {
		case !ok:
		case w.Source != WatchEventBridge:
			p.fail(v.val, join(field, it.name), ErrWatch, "add source: eventbridge, or remove "+it.name,
				"%s is read only by the eventbridge source", it.name)
		case !it.re.MatchString(s):
			p.fail(v.val, join(field, it.name), ErrWatch, "write "+it.hint, "%q is not a valid %s", s, it.name)
		default:
			*it.dst = s
		}
	}
}
