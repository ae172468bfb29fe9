package rotation_test

import (
	"context"
	"testing"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/store"
)

// TestRotationQuotasComeFromTheTable: every call a rotation paces is in
// pace's one table at AWS's default quota (the rotation has no table of
// its own any more).
func TestRotationQuotasComeFromTheTable(t *testing.T) {
	tab := pace.Defaults()
	want := map[[2]string]float64{
		{pace.ServiceKMS, "GetParametersForImport"}: 1, {pace.ServiceKMS, "ImportKeyMaterial"}: 15,
		{pace.ServiceKMS, "RotateKeyOnDemand"}: 5, {pace.ServiceKMS, "CreateKey"}: 5, {pace.ServiceKMS, "UpdateAlias"}: 5,
		{pace.ServiceKMS, "ListKeyRotations"}: 5, {pace.ServiceKMS, "TagResource"}: 5,
		{pace.ServiceCloudTrail, "LookupEvents"}: 2,
	}
	for k, rate := range want {
		if q, ok := tab.Lookup(k[0], k[1]); !ok || q.PerSecond != rate {
			t.Errorf("%s %s: %+v %v, AWS quota is %v", k[0], k[1], q, ok, rate)
		}
	}
}

// TestRotationRidesOutAThrottlingStorm: the sandbox throttles the import
// calls; the rotation slows down and completes, never failing for
// throttling alone. One GetParametersForImport throttle is taken for
// jitter (the pacer re-aligns and keeps the known quota); three
// ImportKeyMaterial throttles in a row are a storm (the rate halves).
func TestRotationRidesOutAThrottlingStorm(t *testing.T) {
	w := newWorld(t, true)
	ctx := context.Background()
	k := w.key(t, "alias/dev/s3")
	throttle := func(op string, n int) faults.Rule {
		return faults.Rule{Service: "kms", Operation: op, Account: w.est.SecurityAccount, Code: "ThrottlingException",
			Status: 400, Message: "Rate exceeded", Count: n}
	}
	w.sb.SetFaults([]faults.Rule{throttle("GetParametersForImport", 1), throttle("ImportKeyMaterial", 3),
		throttle("DescribeKey", 3)}, false)
	id, err := w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{k}, Strategy: estate.StrategyInPlace})
	if err != nil {
		t.Fatalf("rotation under throttling: run %s: %v", id, err)
	}
	gpfi := pace.Key{Account: w.est.SecurityAccount, Region: k.Region, Service: pace.ServiceKMS, Op: "GetParametersForImport"}
	if rate, limit := w.eng.Limits.Rate(gpfi); rate != limit {
		t.Fatalf("GetParametersForImport rate %v of %v after one throttle: want the known quota kept", rate, limit)
	}
	ikm := pace.Key{Account: w.est.SecurityAccount, Region: k.Region, Service: pace.ServiceKMS, Op: "ImportKeyMaterial"}
	if rate, limit := w.eng.Limits.Rate(ikm); rate >= limit {
		t.Fatalf("ImportKeyMaterial rate %v of %v after three throttles in a row: the pacer did not slow down", rate, limit)
	}
	if n := w.eng.Limits.Throttles(); n != 7 {
		t.Fatalf("pacer saw %d throttling errors, the sandbox sent 7", n)
	}
	run, err := w.st.GetRun(ctx, id)
	if err != nil || run.Status != store.StatusSucceeded {
		t.Fatalf("run %s: %+v %v", id, run.Status, err)
	}
}
