package awsx

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/smithy-go/logging"
)

// TestSDKLoggerIsDebugOnly: the SDK's warnings reach slog at debug level
// only, never a command's stderr at the default level.
func TestSDKLoggerIsDebugOnly(t *testing.T) {
	for _, tc := range []struct {
		level slog.Level
		want  bool
	}{{slog.LevelInfo, false}, {slog.LevelWarn, false}, {slog.LevelDebug, true}} {
		var buf bytes.Buffer
		prev := slog.Default()
		slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: tc.level})))
		sdkLogger{}.Logf(logging.Warn, "failed to discard remaining HTTP response body, %v", "EOF")
		slog.SetDefault(prev)
		got := strings.Contains(buf.String(), "failed to discard remaining HTTP response body, EOF")
		if got != tc.want {
			t.Errorf("level %v: logged %v, want %v: %q", tc.level, got, tc.want, buf.String())
		}
		if got && !strings.Contains(buf.String(), "sdk_class=WARN") {
			t.Errorf("class missing: %q", buf.String())
		}
	}
}
