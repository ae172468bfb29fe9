package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/sandbox/faults"
)

// TestPlanShowsQuotaSources: byok plan shows the rates a rotation is paced
// by and where they come from: an applied GetParametersForImport quota of
// 5/s read from Service Quotas (table and JSON), and AWS's defaults, said
// once on stderr, when the role may not read Service Quotas.
func TestPlanShowsQuotaSources(t *testing.T) {
	fx := newFixture(t)
	if err := fx.sb.SetAppliedQuota(fxSec, fxRegion, "kms", "GetParametersForImport", 5); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cliRun(t, "plan", "--estate", fx.estateFile, "--env", "dev", "--format", "json")
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, errOut)
	}
	var plans []planJSON
	if err := json.Unmarshal([]byte(out), &plans); err != nil || len(plans) == 0 {
		t.Fatalf("plan json: %v\n%s", err, out)
	}
	for _, p := range plans {
		pc := p.Pacing
		if pc == nil || pc.Source != "service-quotas" || pc.Rates["GetParametersForImport"] != 5 ||
			pc.Rates["ImportKeyMaterial"] != 15 || len(pc.Applied) != 1 || pc.Applied[0] != "GetParametersForImport" {
			t.Fatalf("%s pacing = %+v, want GetParametersForImport 5 applied from service-quotas", p.Alias, pc)
		}
	}
	code, out, _ = cliRun(t, "plan", "--estate", fx.estateFile, "--env", "dev")
	if code != 0 || !strings.Contains(out, "service-quotas") || !strings.Contains(out, "5 applied") {
		t.Fatalf("plan table: exit %d, want the quota section with 5 applied\n%s", code, out)
	}

	fx.sb.SetFaults([]faults.Rule{{Service: "servicequotas", Code: "AccessDeniedException", Status: 400, Message: "denied"}}, false)
	code, out, errOut = cliRun(t, "plan", "--estate", fx.estateFile, "--env", "dev", "--format", "json")
	if code != 0 {
		t.Fatalf("plan without Service Quotas: exit %d\n%s", code, errOut)
	}
	if err := json.Unmarshal([]byte(out), &plans); err != nil {
		t.Fatal(err)
	}
	if pc := plans[0].Pacing; pc == nil || pc.Source != "defaults" || !strings.Contains(pc.Reason, "AccessDeniedException") ||
		pc.Rates["GetParametersForImport"] != 1 {
		t.Fatalf("denied pacing = %+v, want defaults because AccessDeniedException", pc)
	}
	if n := strings.Count(errOut, "default request quotas"); n != 1 {
		t.Fatalf("stderr says the fallback %d times, want once:\n%s", n, errOut)
	}
}
