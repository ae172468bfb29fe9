package scan

import (
	"context"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/report"
)

// RunIndexed is Run returning the key facts index too: the estate aliases
// and their target keys, which byok migrate plan needs to name each
// resource's target key by ARN even when no resource uses it yet.
func RunIndexed(ctx context.Context, e *estate.Estate, d Deps, o Options) (report.Report, *compliance.Index, error) {
	rep, out, err := run(ctx, e, d, o)
	return rep, out.Index, err
}
