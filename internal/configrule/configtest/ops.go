package configtest

import (
	"time"
	"unicode/utf8"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

type wireEval struct {
	ComplianceResourceType string
	ComplianceResourceId   string
	ComplianceType         string
	Annotation             *string
	OrderingTimestamp      float64
}

func (s *Server) putEvaluations(body []byte) (any, *awsproto.Error) {
	var in struct {
		Evaluations []wireEval
		ResultToken string
	}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	rule, ok := s.tokens[in.ResultToken]
	if !ok {
		return nil, awsproto.Errorf("InvalidResultTokenException", "The specified ResultToken is not valid.")
	}
	if len(in.Evaluations) > 100 {
		return nil, awsproto.Errorf("ValidationException", "1 validation error detected: Value at 'evaluations' failed to satisfy constraint: Member must have length less than or equal to 100")
	}
	for _, e := range in.Evaluations {
		if err := checkEval(e); err != nil {
			return nil, err
		}
	}
	s.batches = append(s.batches, len(in.Evaluations))
	failed := []wireEval{}
	for _, e := range in.Evaluations {
		if s.failN > 0 {
			s.failN--
			failed = append(failed, e)
			continue
		}
		s.evals[evalKey{rule, e.ComplianceResourceType, e.ComplianceResourceId}] = Evaluation{
			Rule: rule, Type: e.ComplianceResourceType, ID: e.ComplianceResourceId, Compliance: e.ComplianceType,
			Annotation: deref(e.Annotation), Ordering: time.UnixMilli(int64(e.OrderingTimestamp * 1000)).UTC(),
		}
	}
	return map[string]any{"FailedEvaluations": failed}, nil
}

func checkEval(e wireEval) *awsproto.Error {
	switch e.ComplianceType {
	case "COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE":
	case "INSUFFICIENT_DATA":
		return awsproto.Errorf("InvalidParameterValueException", "The compliance type INSUFFICIENT_DATA is not supported for PutEvaluations.")
	default:
		return awsproto.Errorf("ValidationException", "Value '%s' at 'evaluations.member.complianceType' failed to satisfy constraint", e.ComplianceType)
	}
	if e.Annotation != nil {
		if n := utf8.RuneCountInString(*e.Annotation); n < 1 || n > 256 {
			return awsproto.Errorf("ValidationException", "Value at 'evaluations.member.annotation' failed to satisfy constraint: Member must have length between 1 and 256")
		}
	}
	if e.ComplianceResourceType == "" || e.ComplianceResourceId == "" || e.OrderingTimestamp == 0 {
		return awsproto.Errorf("ValidationException", "evaluations.member: ComplianceResourceType, ComplianceResourceId and OrderingTimestamp are required")
	}
	return nil
}

type wireItem struct {
	AccountID                    string            `json:"accountId"`
	ARN                          string            `json:"arn"`
	AwsRegion                    string            `json:"awsRegion"`
	ResourceType                 string            `json:"resourceType"`
	ResourceID                   string            `json:"resourceId"`
	ResourceName                 string            `json:"resourceName,omitempty"`
	ConfigurationItemStatus      string            `json:"configurationItemStatus"`
	ConfigurationItemCaptureTime float64           `json:"configurationItemCaptureTime"`
	Configuration                string            `json:"configuration,omitempty"`
	SupplementaryConfiguration   map[string]string `json:"supplementaryConfiguration,omitempty"`
}

func wire(it Item) wireItem {
	return wireItem{AccountID: it.Account, ARN: it.ARN, AwsRegion: it.Region, ResourceType: it.Type, ResourceID: it.ID,
		ResourceName: it.Name, ConfigurationItemStatus: it.Status, ConfigurationItemCaptureTime: epoch(it.CaptureTime),
		Configuration: it.Configuration, SupplementaryConfiguration: it.Supplementary}
}

// latest returns the newest item of each resource, in insertion order.
func (s *Server) latest() []Item {
	idx := map[[2]string]int{}
	var out []Item
	for _, it := range s.items {
		k := [2]string{it.Type, it.ID}
		if i, ok := idx[k]; ok {
			out[i] = it
			continue
		}
		idx[k] = len(out)
		out = append(out, it)
	}
	return out
}

func gone(it Item) bool {
	return it.Status == "ResourceDeleted" || it.Status == "ResourceDeletedNotRecorded" || it.Status == "ResourceNotRecorded"
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
