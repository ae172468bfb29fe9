package main

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TestMigrateApplyAcrossSessionExpiry: while byok migrate apply waits for
// the final snapshot of prod-db, the sandbox clock jumps two hours, past
// every session the run holds; the migration role's session (assumed from
// the operator's) is assumed again on its first ExpiredToken through
// awsx.Assume's refresh, and the run ends with the instance on the new
// key. (internal/rotation's TestRotationSurvivesSessionExpiry does the
// same for the operator and verify roles of a rotation.)
func TestMigrateApplyAcrossSessionExpiry(t *testing.T) {
	fx, targets := migrationFixture(t)
	fx.settle(fxProd)
	var once sync.Once
	stop := fx.driveClock(fxProd, func(busy string) {
		if strings.HasPrefix(busy, "prod-db") {
			once.Do(func() { fx.sb.AdvanceClock(2 * time.Hour) })
		}
	})
	code, out, errOut := cliRun(t, migrationArgs(fx, "migrate", "apply", "--resource", prodDBARN, "--yes", "--writers-stopped")...)
	stop()
	if code != exitOK {
		t.Fatalf("migrate apply across a session expiry: exit %d\n%s\n%s", code, out, errOut)
	}
	if db := fx.instanceNamed(fxProd, "prod-db"); aws.ToString(db.KmsKeyId) != targets["alias/prod/rds"] {
		t.Fatalf("prod-db on %s after the run, want %s", aws.ToString(db.KmsKeyId), targets["alias/prod/rds"])
	}
}
