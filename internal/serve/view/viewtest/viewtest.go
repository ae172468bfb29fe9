// Package viewtest builds large view.State values for tests and
// benchmarks of the dashboard and /metrics. Test support only.
package viewtest

import (
	"fmt"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/serve/view"
)

// State is an estate of nKeys keys (some overdue, some expiring) and nRes
// resources over 20 accounts (one in seven non-compliant), with 30 saved
// scans, one run and an intact audit chain.
func State(nKeys, nRes int) view.State {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	st := view.State{Now: now, KeysAt: now, ScanAt: now}
	for i := range nKeys {
		k := view.Key{Alias: fmt.Sprintf("alias/env%d/s3", i), Env: fmt.Sprintf("env%d", i), Service: "s3", Region: "eu-west-1",
			ARN: fmt.Sprintf("arn:aws:kms:eu-west-1:111111111111:key/%08d", i), CurrentSince: now.Add(-time.Duration(i*37%500) * 24 * time.Hour),
			MaxAge: 365 * 24 * time.Hour, RotationsUsed: i % 25}
		k.Due = k.Age(now) > k.MaxAge
		if i%50 == 0 {
			v := now.Add(10 * 24 * time.Hour)
			k.EarliestValidTo = &v
			k.Expiring = []view.Expiring{{MaterialID: "m", State: "CURRENT", ValidTo: v, Remedy: "re-import"}}
		}
		st.Keys = append(st.Keys, k)
	}
	rep := report.Report{}
	for i := range nRes {
		v, r := compliance.Compliant, compliance.ReasonCompliant
		if i%7 == 0 {
			v, r = compliance.NonCompliant, compliance.ReasonMaterialOverdue
		}
		rep.Results = append(rep.Results, compliance.Result{Resource: compliance.Resource{Type: compliance.S3Bucket, ID: fmt.Sprint("b", i),
			Name: fmt.Sprint("b", i), Account: fmt.Sprintf("%012d", 222222222222+i%20), Region: "eu-west-1"}, Verdict: v, Reason: r, Detail: "d"})
	}
	st.Scan, st.Counts = &rep, view.Count(&rep)
	for i := range 30 {
		st.Scans = append(st.Scans, view.ScanPoint{ID: int64(i), At: now.Add(-time.Duration(30-i) * 24 * time.Hour), Total: nRes, Compliant: nRes - i, NonCompliant: i})
	}
	st.Runs = []view.Run{{ID: "r-1", Status: "succeeded", Strategy: "in-place", Created: now, Keys: []view.RunKey{{KeyARN: "k", Alias: "alias/env1/s3",
		Steps: []view.StepEvent{{Step: "plan", Phase: "begin", At: now}, {Step: "plan", Phase: "end", At: now}}}}}}
	st.Audit = view.Audit{Checked: now, OK: true, Entries: 1, Head: "00"}
	return st
}
