package estate

import (
	"errors"

	"github.com/byok-dev/byok/internal/serve/schedule"
)

func isCronError(err error) bool {
	return errors.Is(err, schedule.ErrCron) || errors.Is(err, schedule.ErrDuration)
}
