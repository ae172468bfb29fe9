package configsvc

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/awslimits"
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// evaluation is the latest result of one rule for one resource.
type evaluation struct {
	Account    string    `json:"account"`
	Region     string    `json:"region"`
	Rule       string    `json:"rule"`
	Type       string    `json:"type"`
	ID         string    `json:"id"`
	Compliance string    `json:"compliance"`
	Annotation string    `json:"annotation,omitempty"`
	Ordering   time.Time `json:"ordering"`
	Recorded   time.Time `json:"recorded"`
}

func (e *evaluation) key() string {
	return e.Account + "/" + e.Region + "/" + e.Rule + "/" + resKey(e.Type, e.ID)
}

type putInput struct {
	Evaluations []struct {
		ComplianceResourceType string
		ComplianceResourceID   string `json:"ComplianceResourceId"`
		ComplianceType         string
		Annotation             *string
		OrderingTimestamp      *float64
	}
	ResultToken *string
	TestMode    bool
}

type failedEvaluation struct {
	ComplianceResourceType string  `json:"ComplianceResourceType"`
	ComplianceResourceID   string  `json:"ComplianceResourceId"`
	ComplianceType         string  `json:"ComplianceType"`
	Annotation             string  `json:"Annotation,omitempty"`
	OrderingTimestamp      float64 `json:"OrderingTimestamp"`
}

type putOutput struct {
	FailedEvaluations []failedEvaluation `json:"FailedEvaluations"`
}

func (s *Service) putEvaluations(c *svc.Call) (any, *awsproto.Error) {
	var in putInput
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	evs, err := checkEvaluations(&in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tok, ok := s.tokens[*in.ResultToken]
	// "When TestMode is true, PutEvaluations doesn't require a valid value
	// for the ResultToken parameter, but the value cannot be null" (API
	// reference): constraints are checked, nothing is recorded. Without
	// TestMode, a token the sandbox did not issue (e.g. "TESTMODE", the
	// token of test events) is invalid, as on AWS.
	if !in.TestMode && (!ok || tok.Account != c.Caller.Account || tok.Region != c.Region) {
		return nil, awsproto.Errorf("InvalidResultTokenException", "The resultToken provided is invalid")
	}
	out := putOutput{FailedEvaluations: []failedEvaluation{}}
	for _, e := range evs {
		if s.failN > 0 {
			s.failN--
			out.FailedEvaluations = append(out.FailedEvaluations, failed(e))
			continue
		}
		if !knownTypes[e.Type] {
			out.FailedEvaluations = append(out.FailedEvaluations, failed(e))
			continue
		}
		if in.TestMode {
			continue
		}
		e.Account, e.Region, e.Rule, e.Recorded = tok.Account, tok.Region, tok.Rule, c.Now
		if err := s.record(e); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func failed(e *evaluation) failedEvaluation {
	return failedEvaluation{ComplianceResourceType: e.Type, ComplianceResourceID: e.ID, ComplianceType: e.Compliance,
		Annotation: e.Annotation, OrderingTimestamp: epoch(e.Ordering)}
}

// record keeps e unless a result with a later OrderingTimestamp is held.
func (s *Service) record(e *evaluation) *awsproto.Error {
	if old := s.evals[e.key()]; old != nil && old.Ordering.After(e.Ordering) {
		return nil
	}
	if err := s.env.State.Put(kindEval, e.key(), e); err != nil {
		return internalError(err)
	}
	s.evals[e.key()] = e
	return nil
}

// checkEvaluations applies PutEvaluations' documented constraints.
func checkEvaluations(in *putInput) ([]*evaluation, *awsproto.Error) {
	if in.ResultToken == nil || *in.ResultToken == "" {
		return nil, validation("1 validation error detected: Value null at 'resultToken' failed to satisfy constraint: Member must not be null")
	}
	if len(in.Evaluations) > awslimits.MaxEvaluations {
		return nil, validation("1 validation error detected: Value at 'evaluations' failed to satisfy constraint: Member must have length less than or equal to 100")
	}
	out := make([]*evaluation, 0, len(in.Evaluations))
	for i, e := range in.Evaluations {
		field := func(f string) string { return "evaluations." + strconv.Itoa(i+1) + "." + f }
		switch {
		case awslimits.Chars(e.ComplianceResourceType) < 1 || awslimits.Chars(e.ComplianceResourceType) > awslimits.MaxResourceType:
			return nil, validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length between 1 and 256", field("complianceResourceType"))
		case awslimits.Chars(e.ComplianceResourceID) < 1 || awslimits.Chars(e.ComplianceResourceID) > awslimits.MaxResourceID:
			return nil, validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length between 1 and 768", field("complianceResourceId"))
		case e.Annotation != nil && !awslimits.ValidAnnotation(*e.Annotation):
			return nil, validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length between 1 and 256", field("annotation"))
		case e.OrderingTimestamp == nil:
			return nil, validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field("orderingTimestamp"))
		case e.ComplianceType == "INSUFFICIENT_DATA":
			return nil, awsproto.Errorf("InvalidParameterValueException", "The ComplianceType INSUFFICIENT_DATA is not supported for PutEvaluations; use COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE.")
		case !slices.Contains([]string{"COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"}, e.ComplianceType):
			return nil, validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE, INSUFFICIENT_DATA]", e.ComplianceType, field("complianceType"))
		}
		ev := &evaluation{Type: e.ComplianceResourceType, ID: e.ComplianceResourceID, Compliance: e.ComplianceType,
			Ordering: time.UnixMilli(int64(*e.OrderingTimestamp * 1000)).UTC()}
		if e.Annotation != nil {
			ev.Annotation = *e.Annotation
		}
		out = append(out, ev)
	}
	return out, nil
}

type detailsInput struct {
	ConfigRuleName  string
	ComplianceTypes []string
	Limit           int
	NextToken       string
}

type qualifier struct {
	ConfigRuleName string `json:"ConfigRuleName"`
	ResourceType   string `json:"ResourceType"`
	ResourceID     string `json:"ResourceId"`
	EvaluationMode string `json:"EvaluationMode"`
}

type evaluationResult struct {
	EvaluationResultIdentifier struct {
		EvaluationResultQualifier qualifier `json:"EvaluationResultQualifier"`
		OrderingTimestamp         float64   `json:"OrderingTimestamp"`
	} `json:"EvaluationResultIdentifier"`
	ComplianceType        string  `json:"ComplianceType"`
	ResultRecordedTime    float64 `json:"ResultRecordedTime"`
	ConfigRuleInvokedTime float64 `json:"ConfigRuleInvokedTime"`
	Annotation            string  `json:"Annotation,omitempty"`
}

type detailsOutput struct {
	EvaluationResults []evaluationResult `json:"EvaluationResults"`
	NextToken         string             `json:"NextToken,omitempty"`
}

func (s *Service) complianceDetails(c *svc.Call) (any, *awsproto.Error) {
	var in detailsInput
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	limit, start, err := pageBounds(in.Limit, in.NextToken, 100)
	if err != nil {
		return nil, err
	}
	for _, t := range in.ComplianceTypes {
		if !slices.Contains([]string{"COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE", "INSUFFICIENT_DATA"}, t) {
			return nil, validation("1 validation error detected: Value '%s' at 'complianceTypes' failed to satisfy constraint: Member must satisfy enum value set: [COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE, INSUFFICIENT_DATA]", t)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rules[ruleKey(c.Caller.Account, c.Region, in.ConfigRuleName)] == nil {
		return nil, awsproto.Errorf("NoSuchConfigRuleException",
			"The ConfigRule '%s' provided in the request is invalid. Please check the configRule name.", in.ConfigRuleName)
	}
	prefix := c.Caller.Account + "/" + c.Region + "/" + in.ConfigRuleName + "/"
	var hits []*evaluation
	for k, e := range s.evals {
		if strings.HasPrefix(k, prefix) && (len(in.ComplianceTypes) == 0 || slices.Contains(in.ComplianceTypes, e.Compliance)) {
			hits = append(hits, e)
		}
	}
	slices.SortFunc(hits, func(a, b *evaluation) int { return strings.Compare(a.key(), b.key()) })
	end := min(start+limit, len(hits))
	out := detailsOutput{EvaluationResults: []evaluationResult{}, NextToken: nextToken(end, len(hits))}
	for i := start; i < end; i++ {
		out.EvaluationResults = append(out.EvaluationResults, result(hits[i]))
	}
	return out, nil
}

func result(e *evaluation) evaluationResult {
	var r evaluationResult
	r.EvaluationResultIdentifier.EvaluationResultQualifier = qualifier{ConfigRuleName: e.Rule, ResourceType: e.Type,
		ResourceID: e.ID, EvaluationMode: "DETECTIVE"}
	r.EvaluationResultIdentifier.OrderingTimestamp = epoch(e.Ordering)
	r.ComplianceType, r.Annotation = e.Compliance, e.Annotation
	r.ResultRecordedTime, r.ConfigRuleInvokedTime = epoch(e.Recorded), epoch(e.Recorded)
	return r
}
