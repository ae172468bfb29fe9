package app

import (
	"context"
	"time"

	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/retire"
	"github.com/byok-dev/byok/internal/scan"
)

// RetireSources are the read-only clients byok retire judges a key
// through: the Security account's KMS and CloudTrail, every estate
// account's CloudTrail, S3 and RDS snapshots (the verify roles) and a scan of the
// whole estate.
func (a *App) RetireSources() retire.Sources {
	c := a.AWS
	return retire.Sources{
		Estate: a.Estate,
		KMS:    func(region string) retire.KMS { return c.KMS(a.Estate.SecurityAccount, region) },
		Trail:  func(account, region string) retire.Trail { return c.CloudTrail(account, region) },
		S3:     func(account, region string) retire.Objects { return c.S3(account, region) },
		RDS:    func(account, region string) retire.RDS { return c.RDS(account, region) },
		Scan: func(ctx context.Context, now time.Time) (report.Report, error) {
			return scan.Run(ctx, a.Estate, scan.Deps{Inventory: c.Inventory(), KMS: c.KeyFacts(), Pace: c.Pace()}, scan.Options{Now: now})
		},
	}
}
