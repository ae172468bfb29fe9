package kmssvc

import (
	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/sandbox/faults"
)

// Quotas returns AWS KMS's default request quotas (requests per second, per
// account and Region) from byok's one quota table (internal/pace). Values
// applied through Service Quotas (faults.Injector.SetApplied) override them
// per account and Region.
func Quotas() []faults.Quota { return faults.FromTable(pace.ServiceKMS) }
