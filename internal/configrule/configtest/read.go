package configtest

import (
	"cmp"
	"slices"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

type resourceKey struct {
	ResourceType string `json:"resourceType"`
	ResourceID   string `json:"resourceId"`
}

func (s *Server) history(body []byte) (any, *awsproto.Error) {
	var in struct {
		resourceKey
		Limit int `json:"limit"`
	}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var found []wireItem
	for i := len(s.items) - 1; i >= 0; i-- {
		if it := s.items[i]; it.Type == in.ResourceType && it.ID == in.ResourceID {
			found = append(found, wire(it))
		}
	}
	if len(found) == 0 {
		return nil, awsproto.Errorf("ResourceNotDiscoveredException", "Resource %s of resourceType:%s is unknown or has not been discovered", in.ResourceID, in.ResourceType)
	}
	if in.Limit > 0 && in.Limit < len(found) {
		found = found[:in.Limit]
	}
	return map[string]any{"configurationItems": found}, nil
}

func (s *Server) listDiscovered(body []byte) (any, *awsproto.Error) {
	var in struct {
		ResourceType string `json:"resourceType"`
		Limit        int    `json:"limit"`
		NextToken    string `json:"nextToken"`
	}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var ids []map[string]string
	for _, it := range s.latest() {
		if it.Type == in.ResourceType && !gone(it) {
			ids = append(ids, map[string]string{"resourceType": it.Type, "resourceId": it.ID, "resourceName": it.Name})
		}
	}
	start, end, next, err := page(len(ids), in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"resourceIdentifiers": ids[start:end]}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

func (s *Server) batchGet(body []byte) (any, *awsproto.Error) {
	var in struct {
		ResourceKeys []resourceKey `json:"resourceKeys"`
	}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	if len(in.ResourceKeys) == 0 || len(in.ResourceKeys) > 100 {
		return nil, awsproto.Errorf("ValidationException", "Value at 'resourceKeys' failed to satisfy constraint: Member must have length between 1 and 100")
	}
	latest := map[resourceKey]Item{}
	for _, it := range s.latest() {
		latest[resourceKey{it.Type, it.ID}] = it
	}
	items := []wireItem{}
	for _, k := range in.ResourceKeys {
		if it, ok := latest[k]; ok && !gone(it) {
			items = append(items, wire(it))
		}
	}
	return map[string]any{"baseConfigurationItems": items, "unprocessedResourceKeys": []resourceKey{}}, nil
}

func (s *Server) complianceDetails(body []byte) (any, *awsproto.Error) {
	var in struct {
		ConfigRuleName  string
		ComplianceTypes []string
		Limit           int
		NextToken       string
	}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, c := range in.ComplianceTypes {
		want[c] = true
	}
	var res []map[string]any
	for _, e := range s.sortedEvals() {
		if e.Rule != in.ConfigRuleName || (len(want) > 0 && !want[e.Compliance]) {
			continue
		}
		q := map[string]string{"ConfigRuleName": e.Rule, "ResourceType": e.Type, "ResourceId": e.ID}
		res = append(res, map[string]any{
			"EvaluationResultIdentifier": map[string]any{"EvaluationResultQualifier": q, "OrderingTimestamp": epoch(e.Ordering)},
			"ComplianceType":             e.Compliance, "Annotation": e.Annotation,
		})
	}
	start, end, next, err := page(len(res), in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"EvaluationResults": res[start:end]}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

func (s *Server) sortedEvals() []Evaluation {
	out := make([]Evaluation, 0, len(s.evals))
	for _, e := range s.evals {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Evaluation) int {
		return cmp.Or(cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Type, b.Type), cmp.Compare(a.ID, b.ID))
	})
	return out
}
