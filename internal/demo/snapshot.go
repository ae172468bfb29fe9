package demo

import (
	"slices"
	"sort"
	"strings"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/report"
)

// serviceOf maps a resource type to its estate service.
func serviceOf(t compliance.ResourceType) string {
	switch t {
	case compliance.RDSInstance, compliance.RDSCluster:
		return "rds"
	case compliance.DynamoDBTable:
		return "dynamodb"
	case compliance.S3Bucket:
		return "s3"
	}
	return string(t)
}

func findingOf(r compliance.Result) Finding {
	res := r.Resource
	return Finding{Type: res.Type.ShortName(), Name: res.Label(), Account: res.Account, Region: res.Region,
		Verdict: r.Verdict.String(), Reason: string(r.Reason), Detail: r.Detail, KeyARN: r.KeyARN}
}

// snapshotOf counts a scan report by verdict, reason, account × service.
func snapshotOf(rep report.Report, names map[string]string) Snapshot {
	sum := report.Summarize(rep.Results)
	s := Snapshot{Total: sum.Total, ByVerdict: sum.ByVerdict, ByReason: sum.ByReason}
	cells := map[[2]string]*Cell{}
	for _, r := range rep.Results {
		k := [2]string{r.Resource.Account, serviceOf(r.Resource.Type)}
		c := cells[k]
		if c == nil {
			c = &Cell{Account: k[0], AccountName: names[k[0]], Service: k[1], ByVerdict: map[string]int{}}
			cells[k] = c
		}
		c.Total++
		c.ByVerdict[r.Verdict.String()]++
		if r.Verdict == compliance.NonCompliant {
			s.NonCompliant = append(s.NonCompliant, findingOf(r))
		}
	}
	for _, c := range cells {
		s.Cells = append(s.Cells, *c)
	}
	sort.Slice(s.Cells, func(i, j int) bool {
		a, b := s.Cells[i], s.Cells[j]
		return a.Account+"/"+a.Service < b.Account+"/"+b.Service
	})
	sort.Slice(s.NonCompliant, func(i, j int) bool { return findingKey(s.NonCompliant[i]) < findingKey(s.NonCompliant[j]) })
	for _, e := range rep.Meta.Errors {
		s.Errors = append(s.Errors, strings.Join([]string{e.Account, e.Region, e.Service, e.Message}, " "))
	}
	return s
}

func findingKey(f Finding) string { return f.Account + "/" + f.Type + "/" + f.Name }

// classify says why each finding of the last scan is still NON_COMPLIANT:
// on a key the new-key rotation retired (expected until re-keyed), a
// finding no rotation fixes, or unexpected.
func classify(after Snapshot, retiredKeyARNs []string) []LeftFinding {
	var out []LeftFinding
	for _, f := range after.NonCompliant {
		lf := LeftFinding{Finding: f, Class: LeftUnexpected, Fix: "investigate: the rotation should have fixed this"}
		switch {
		case f.Reason == string(compliance.ReasonKeySuperseded) && f.KeyARN != "" && slices.Contains(retiredKeyARNs, f.KeyARN):
			lf.Class, lf.Fix = LeftRetiredKey, "re-key in the maintenance window (RDS: snapshot → copy with the new key → restore → switch), then retire the old key"
		case f.Reason == string(compliance.ReasonMaterialExpiring):
			lf.Class, lf.Fix = LeftExpiring, "re-import the expiring material without expiry from the HSM that holds it (byok rotate --due does it for material byok imported); when any material of a key expires, the whole key stops working"
		case !keyAgeReason(f.Reason):
			lf.Class, lf.Fix = LeftNotKeyAge, "not a key-material finding: re-encrypt the resource under its estate key"
		}
		out = append(out, lf)
	}
	return out
}

// keyAgeReason reports whether a reason is one a rotation of estate key
// material must fix.
func keyAgeReason(reason string) bool {
	switch compliance.Reason(reason) {
	case compliance.ReasonMaterialOverdue, compliance.ReasonKeySuperseded,
		compliance.ReasonKeyPendingImport:
		return true
	}
	return false
}
