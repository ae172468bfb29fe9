package main

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// BenchmarkMigrateParallel: four RDS/Aurora migrations in one run (two
// instances, two clusters) against the longest single one (a cluster),
// in AWS time: the sandbox clock moves only while something is in a
// transition, so its advance is the time RDS would take, and it is the
// sum of the waits when they run one after another, the longest when
// they overlap. Reports parallel/longest (want ≤ 1.1) and the real time
// of each.
func BenchmarkMigrateParallel(b *testing.B) {
	for i := 0; i < b.N; i++ {
		single, singleReal := benchMigration(b, false)
		four, fourReal := benchMigration(b, true)
		b.ReportMetric(single.Minutes(), "aws-min-longest-single")
		b.ReportMetric(four.Minutes(), "aws-min-four-parallel")
		b.ReportMetric(four.Seconds()/single.Seconds(), "parallel/longest")
		b.ReportMetric(singleReal.Seconds(), "real-s-single")
		b.ReportMetric(fourReal.Seconds(), "real-s-four")
	}
}

// benchMigration migrates prod-aurora alone, or it with prod-db, a second
// instance and a second cluster, and returns the sandbox (AWS) time and
// the real time the apply took.
func benchMigration(b *testing.B, four bool) (aws, real time.Duration) {
	b.Helper()
	fx, _ := migrationFixture(b)
	if four {
		fx.instance(fxProd, "prod-db-2", true, fx.keys["alias/prod/rds"])
		fx.aurora(fxProd, "prod-aurora-b", fx.keys["alias/prod/rds"])
	}
	fx.settle(fxProd)
	args := []string{"migrate", "apply", "--yes", "--writers-stopped", "--max-parallel", "4"}
	if four {
		args = append(args, "--env", "prod", "--key", "alias/prod/rds")
	} else {
		args = append(args, "--resource", "arn:aws:rds:eu-west-1:"+fxProd+":cluster:prod-aurora")
	}
	before := fx.sb.Server.Env.Clock.Offset()
	start := time.Now()
	stop := fx.driveClockBy(fxProd, 10*time.Second, 5*time.Millisecond, nil)
	code, out, errOut := cliRunTB(append(args, "--estate", fx.estateFile, "--poll", "2ms", "--wait-timeout", "1m")...)
	stop()
	real = time.Since(start)
	if code != exitOK {
		b.Fatalf("migrate apply: exit %d\n%s\n%s", code, out, errOut)
	}
	return fx.sb.Server.Env.Clock.Offset() - before, real
}

func cliRunTB(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}
