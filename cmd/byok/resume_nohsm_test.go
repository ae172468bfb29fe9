package main

import (
	"testing"

	"github.com/byok-dev/byok/internal/rotation"
)

// TestResumeMigrationWithoutHSM: byok resume of a killed migration run
// does not open the HSM (a migration never touches it), so an operator
// without the HSM's module or PIN resumes it; the run ends correctly.
func TestResumeMigrationWithoutHSM(t *testing.T) {
	if testing.Short() {
		t.Skip("process kill test: skipped with -short")
	}
	bin := rotBinary(t)
	m := killMethods[2] // the table: no writers-stopped confirmation to give again
	if m.strategy != rotation.MigrateDynamoDB {
		t.Fatalf("killMethods[2] is %s, want the DynamoDB method", m.strategy)
	}
	fx, targets := migrationFixture(t)
	fx.settle(fxProd)
	stop := fx.driveClock(fxProd, nil)
	killed, out := execKilled(t, bin, m.strategy.String()+"/update-sse:after",
		migrationArgs(fx, "migrate", "apply", "--yes", "--writers-stopped", "--resource", m.arn)...)
	stop()
	if !killed {
		t.Fatalf("the failpoint did not kill byok:\n%s", out)
	}
	run := newestMigrationRun(t)
	// No HSM: a module that does not exist and no PIN.
	t.Setenv("BYOK_HSM", "pkcs11:token=none?module-path=/nonexistent/libnohsm.so&pin-source=env:BYOK_HSM_PIN")
	t.Setenv("BYOK_HSM_PIN", "")
	stop = fx.driveClock(fxProd, nil)
	code, rout, rerr := cliRun(t, "resume", run, "--estate", fx.estateFile)
	stop()
	if code != exitOK {
		t.Fatalf("byok resume %s without an HSM: exit %d\n%s\n%s", run, code, rout, rerr)
	}
	m.check(t, fx, run, targets["alias/prod/dynamodb"])
}

// TestStrategyNeedsHSM: the procedures with an HSM step, and only they,
// make a resume open the HSM; an unknown name is taken to need it.
func TestStrategyNeedsHSM(t *testing.T) {
	want := map[rotation.Strategy]bool{rotation.InPlace: true, rotation.NewKey: true, rotation.Reimport: true,
		rotation.ImportFirst: true, rotation.ImportExisting: true}
	for s := rotation.InPlace; s <= rotation.MigrateS3Bucket; s++ {
		if got := rotation.StrategyNeedsHSM(s.String()); got != want[s] {
			t.Errorf("StrategyNeedsHSM(%s) = %v, want %v", s, got, want[s])
		}
	}
	if !rotation.StrategyNeedsHSM("no-such-procedure") {
		t.Error("an unknown procedure must count as needing the HSM")
	}
}
