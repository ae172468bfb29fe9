package configsvc

import (
	"slices"

	"github.com/byok-dev/byok/internal/awslimits"
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

func awsLen(s string) int { return awslimits.Chars(s) }

type describeByResourceInput struct {
	ResourceType    string
	ResourceID      string `json:"ResourceId"`
	ComplianceTypes []string
	Limit           int
	NextToken       string
}

type contributorCount struct {
	CappedCount int  `json:"CappedCount"`
	CapExceeded bool `json:"CapExceeded"`
}

type resourceCompliance struct {
	ComplianceType             string            `json:"ComplianceType"`
	ComplianceContributorCount *contributorCount `json:"ComplianceContributorCount,omitempty"`
}

type complianceByResource struct {
	ResourceType string             `json:"ResourceType"`
	ResourceID   string             `json:"ResourceId"`
	Compliance   resourceCompliance `json:"Compliance"`
}

type describeByResourceOutput struct {
	ComplianceByResources []complianceByResource `json:"ComplianceByResources"`
	NextToken             string                 `json:"NextToken,omitempty"`
}

// maxContributors is where ComplianceContributorCount caps (CapExceeded).
const maxContributors = 100

// describeComplianceByResource is DescribeComplianceByResource: per
// resource, NON_COMPLIANT with the number of rules it breaks if any rule
// says so, else COMPLIANT if any rule says so, else INSUFFICIENT_DATA
// (only NOT_APPLICABLE results, or none for a named resource), as the API
// reference describes. Limit 0–100, default 10.
func (s *Service) describeComplianceByResource(c *svc.Call) (any, *awsproto.Error) {
	var in describeByResourceInput
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	if in.ResourceID != "" && in.ResourceType == "" {
		return nil, awsproto.Errorf("InvalidParameterValueException", "ResourceType is required when ResourceId is given.")
	}
	if err := checkComplianceTypes(in.ComplianceTypes); err != nil {
		return nil, err
	}
	limit, start, err := pageBounds(in.Limit, in.NextToken, 10)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	all := aggregate(s.resourceEvals(c, in.ResourceType, in.ResourceID))
	s.mu.Unlock()
	if len(all) == 0 && in.ResourceID != "" {
		all = []complianceByResource{{ResourceType: in.ResourceType, ResourceID: in.ResourceID, Compliance: resourceCompliance{ComplianceType: insufficientData}}}
	}
	var hits []complianceByResource
	for _, r := range all {
		if len(in.ComplianceTypes) == 0 || slices.Contains(in.ComplianceTypes, r.Compliance.ComplianceType) {
			hits = append(hits, r)
		}
	}
	end := min(start+limit, len(hits))
	out := describeByResourceOutput{ComplianceByResources: []complianceByResource{}, NextToken: nextToken(end, len(hits))}
	if start < end {
		out.ComplianceByResources = hits[start:end]
	}
	return out, nil
}

// aggregate folds sorted per-rule results into one entry per resource.
func aggregate(evals []*evaluation) []complianceByResource {
	var out []complianceByResource
	idx := map[string]int{}
	for _, e := range evals {
		k := resKey(e.Type, e.ID)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, complianceByResource{ResourceType: e.Type, ResourceID: e.ID, Compliance: resourceCompliance{ComplianceType: insufficientData}})
		}
		rc := &out[i].Compliance
		switch {
		case e.Compliance == nonCompliant:
			if rc.ComplianceContributorCount == nil {
				rc.ComplianceContributorCount = &contributorCount{}
			}
			rc.ComplianceType = nonCompliant
			if cc := rc.ComplianceContributorCount; cc.CappedCount == maxContributors {
				cc.CapExceeded = true
			} else {
				cc.CappedCount++
			}
		case e.Compliance == compliant && rc.ComplianceType != nonCompliant:
			rc.ComplianceType = compliant
		}
	}
	return out
}
