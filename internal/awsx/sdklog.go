package awsx

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/smithy-go/logging"
)

// sdkLogger routes the SDK's own log lines (by default printed on
// stderr: "failed to discard remaining HTTP response body", checksum
// notes) to slog's default logger at debug level, so that they never
// interleave with a command's output; a process that raises slog's
// default level to debug still sees them.
type sdkLogger struct{}

// Logf implements logging.Logger.
func (sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	slog.Default().Log(context.Background(), slog.LevelDebug, "aws sdk",
		logSDKClass, string(c), logSDKMessage, fmt.Sprintf(format, v...))
}

const (
	logSDKClass   = "sdk_class"
	logSDKMessage = "sdk_message"
)
