package estate

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// watchDoc renders a watch: section from line 11 on (line 11 is "watch:").
func watchDoc(lines ...string) string {
	return withLines(nil, append([]string{"watch:"}, indentBy("  ", lines)...)...)
}

func indentBy(pfx string, lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = pfx + l
	}
	return out
}

var watchErrCases = map[string]errCase{
	"unknown source":       {watchDoc("source: sqs"), ErrWatch, "watch.source", 12, "eventbridge"},
	"source typo case":     {watchDoc("source: EventBridge"), ErrWatch, "watch.source", 12, "cloudtrail"},
	"source not scalar":    {watchDoc("source: [eventbridge]"), ErrType, "watch.source", 12, ""},
	"unknown field":        {watchDoc("source: eventbridge", "loggroup: /x"), ErrUnknownField, "watch.loggroup", 13, `did you mean "log_group"`},
	"log group without eb": {watchDoc("log_group: /byok/x"), ErrWatch, "watch.log_group", 12, "source: eventbridge"},
	"rule without eb":      {watchDoc("source: cloudtrail", "rule: r"), ErrWatch, "watch.rule", 13, "source: eventbridge"},
	"bad log group":        {watchDoc("source: eventbridge", "log_group: 'has space'"), ErrWatch, "watch.log_group", 13, "CloudWatch Logs group"},
	"log group too long":   {watchDoc("source: eventbridge", "log_group: /"+strings.Repeat("a", 512)), ErrWatch, "watch.log_group", 13, ""},
	"bad rule":             {watchDoc("source: eventbridge", "rule: a/b"), ErrWatch, "watch.rule", 13, "EventBridge rule"},
	"bad delay":            {watchDoc("source: eventbridge", "delivery_delay: soon"), ErrDuration, "watch.delivery_delay", 13, ""},
	"zero delay":           {watchDoc("source: eventbridge", "delivery_delay: 0s"), ErrDuration, "watch.delivery_delay", 13, ""},
	"negative delay":       {watchDoc("delivery_delay: -5s"), ErrDuration, "watch.delivery_delay", 12, ""},
	"delay too long":       {watchDoc("source: eventbridge", "delivery_delay: 1h"), ErrWatch, "watch.delivery_delay", 13, "5s"},
	"not a mapping":        {withLines(nil, "watch: eventbridge"), ErrType, "watch", 11, ""},
	"duplicate source":     {watchDoc("source: eventbridge", "source: cloudtrail"), ErrDuplicate, "watch.source", 13, ""},
}

func TestWatchErrors(t *testing.T) {
	for name, tc := range watchErrCases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("w.yaml", []byte(tc.doc))
			if !errors.Is(err, tc.class) {
				t.Fatalf("error %v, want class %v", err, tc.class)
			}
			for _, e := range Errors(err) {
				if errors.Is(e, tc.class) && e.Field == tc.field && e.Line == tc.line && strings.Contains(e.Hint, tc.hint) {
					return
				}
			}
			t.Fatalf("no %v at %s line %d with hint %q in:\n%v", tc.class, tc.field, tc.line, tc.hint, err)
		})
	}
}

func TestWatchParsed(t *testing.T) {
	for name, tc := range map[string]struct {
		doc  string
		want Watch
	}{
		"absent":        {withLines(nil), DefaultWatch()},
		"cloudtrail":    {watchDoc("source: cloudtrail", "delivery_delay: 10s"), Watch{WatchCloudTrail, DefaultWatchLogGroup, DefaultWatchRule, 10 * time.Second}},
		"eventbridge":   {watchDoc("source: eventbridge"), Watch{WatchEventBridge, DefaultWatchLogGroup, DefaultWatchRule, DefaultWatchDeliveryDelay}},
		"named":         {watchDoc("source: eventbridge", "log_group: /org/kms#fail", "rule: kms-fail.1", "delivery_delay: 500ms"), Watch{WatchEventBridge, "/org/kms#fail", "kms-fail.1", 500 * time.Millisecond}},
		"empty mapping": {withLines(nil, "watch: {}"), DefaultWatch()},
	} {
		t.Run(name, func(t *testing.T) {
			e, err := Parse("w.yaml", []byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			if e.Watch != tc.want {
				t.Fatalf("watch %+v, want %+v", e.Watch, tc.want)
			}
		})
	}
}
