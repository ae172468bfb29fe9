package pace

import (
	"context"
	"errors"
	"time"

	"github.com/aws/smithy-go"
)

// throttlingCodes are the error codes AWS services throttle with.
var throttlingCodes = map[string]bool{
	"ThrottlingException": true, "Throttling": true, "TooManyRequestsException": true,
	"RequestLimitExceeded": true, "SlowDown": true, "ProvisionedThroughputExceededException": true,
	"RequestThrottled": true, "RequestThrottledException": true, "ThrottledException": true,
}

// IsThrottling reports whether err is an AWS throttling error.
func IsThrottling(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && throttlingCodes[ae.ErrorCode()]
}

// Call runs fn for k inside the pacer: it waits for a slot, and on a
// throttling error lowers the rate and tries again, for as long as ctx
// lasts; any other outcome is returned as is. A run thus slows down in a
// throttling storm and never fails for throttling alone.
func Call[T any](ctx context.Context, p *Pacer, k Key, fn func(context.Context) (T, error)) (T, error) {
	for attempt := 0; ; attempt++ {
		if err := p.Wait(ctx, k); err != nil {
			var zero T
			return zero, err
		}
		out, err := fn(ctx)
		if err == nil || !IsThrottling(err) {
			if err == nil {
				p.Succeeded(k)
			}
			return out, err
		}
		p.Throttled(k)
		if p == nil || ctx.Err() != nil {
			return out, err
		}
		if _, limit := p.Rate(k); limit == 0 && sleep(ctx, unpacedBackoff(attempt)) != nil {
			return out, err // an operation the table does not know: back off instead of hammering
		}
	}
}

// unpacedBackoff is the wait before retrying a throttled operation the
// table has no quota for: 100 ms doubling, at most 5 s.
func unpacedBackoff(attempt int) time.Duration {
	return min(5*time.Second, 100*time.Millisecond<<min(attempt, 6))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
