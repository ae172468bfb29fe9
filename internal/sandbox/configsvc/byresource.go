package configsvc

import (
	"slices"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// Compliance types, as the API spells them.
const (
	compliant        = "COMPLIANT"
	nonCompliant     = "NON_COMPLIANT"
	notApplicable    = "NOT_APPLICABLE"
	insufficientData = "INSUFFICIENT_DATA"
)

var complianceEnum = []string{compliant, nonCompliant, notApplicable, insufficientData}

func checkComplianceTypes(ts []string) *awsproto.Error {
	for _, t := range ts {
		if !slices.Contains(complianceEnum, t) {
			return validation("1 validation error detected: Value '%s' at 'complianceTypes' failed to satisfy constraint: Member must satisfy enum value set: [COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE, INSUFFICIENT_DATA]", t)
		}
	}
	return nil
}

// resourceEvals returns the caller's latest results for one resource (all
// resources of typ when id is "", all types when typ is ""), every rule,
// sorted by key. Called with s.mu held.
func (s *Service) resourceEvals(c *svc.Call, typ, id string) []*evaluation {
	var out []*evaluation
	for _, e := range s.evals {
		if e.Account == c.Caller.Account && e.Region == c.Region && (typ == "" || e.Type == typ) && (id == "" || e.ID == id) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b *evaluation) int { return strings.Compare(a.key(), b.key()) })
	return out
}

type byResourceInput struct {
	ResourceType    string
	ResourceID      string `json:"ResourceId"`
	ComplianceTypes []string
	NextToken       string
}

// complianceDetailsByResource is GetComplianceDetailsByResource: every
// rule's latest result for one resource, optionally filtered by type.
func (s *Service) complianceDetailsByResource(c *svc.Call) (any, *awsproto.Error) {
	var in byResourceInput
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.ResourceType == "" || in.ResourceID == "":
		return nil, awsproto.Errorf("InvalidParameterValueException", "ResourceType and ResourceId are required when ResourceEvaluationId is not given.")
	case awsLen(in.ResourceType) > 256 || awsLen(in.ResourceID) > 768:
		return nil, validation("1 validation error detected: Value at 'resourceId' failed to satisfy constraint: Member must have length less than or equal to 768")
	}
	if err := checkComplianceTypes(in.ComplianceTypes); err != nil {
		return nil, err
	}
	_, start, err := pageBounds(0, in.NextToken, 100)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var hits []*evaluation
	for _, e := range s.resourceEvals(c, in.ResourceType, in.ResourceID) {
		if len(in.ComplianceTypes) == 0 || slices.Contains(in.ComplianceTypes, e.Compliance) {
			hits = append(hits, e)
		}
	}
	end := min(start+100, len(hits))
	out := detailsOutput{EvaluationResults: []evaluationResult{}, NextToken: nextToken(end, len(hits))}
	for i := start; i < end; i++ {
		out.EvaluationResults = append(out.EvaluationResults, result(hits[i]))
	}
	return out, nil
}
