package rotation

import (
	"context"
	"time"
)

// AWS KMS request quotas are per account, per Region and per operation
// (some shared). The engine paces every call itself with internal/pace
// (Engine.Limits: one table of AWS's quotas, the account's applied values
// from Service Quotas where readable), a little under each quota, so that
// concurrent keys do not meet throttling; when they do, the pacer halves
// the rate and sends the call again (AIMD): a rotation slows down and never
// fails for throttling alone.
const (
	opGetParameters = "GetParametersForImport"
	opImport        = "ImportKeyMaterial"
	opRotate        = "RotateKeyOnDemand"
	opCreateKey     = "CreateKey"
	opUpdateAlias   = "UpdateAlias"
	opLookupEvents  = "LookupEvents"
)

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
