package view

import (
	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/report"
)

// Group is one (verdict, reason, account, service) bucket of resources.
type Group struct{ Verdict, Reason, Account, Service string }

// Counts are the last scan's resources by bucket and by verdict.
type Counts struct {
	Groups    map[Group]int
	ByVerdict map[string]int
	Total     int
}

// Count buckets a scan's results (computed once per scan, so /metrics and
// the overview do not walk 30,000 results per request).
func Count(rep *report.Report) Counts {
	c := Counts{Groups: map[Group]int{}, ByVerdict: map[string]int{}}
	if rep == nil {
		return c
	}
	for _, r := range rep.Results {
		c.Groups[Group{r.Verdict.String(), string(r.Reason), r.Resource.Account, ServiceOf(r.Resource.Type)}]++
		c.ByVerdict[r.Verdict.String()]++
		c.Total++
	}
	return c
}

// ServiceOf names the estate service of a resource type (s3, rds, dynamodb).
func ServiceOf(t compliance.ResourceType) string {
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
