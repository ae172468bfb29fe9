package configsvc

import (
	"encoding/base64"
	"strconv"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// knownTypes are the resource types the sandbox records; Config answers
// ValidationException for names outside its enum, and nothing is recorded
// for the others it knows.
var knownTypes = map[string]bool{TypeDBInstance: true, TypeDBCluster: true, TypeTable: true, TypeBucket: true,
	"AWS::KMS::Key": true, "AWS::EC2::Instance": true, "AWS::IAM::Role": true, "AWS::Lambda::Function": true}

func checkType(t string) *awsproto.Error {
	if !knownTypes[t] {
		return validation("1 validation error detected: Value '%s' at 'resourceType' failed to satisfy constraint: Member must satisfy enum value set", t)
	}
	return nil
}

// pageBounds reads limit (0 = def, at most 100) and an offset token.
func pageBounds(limit int, token string, def int) (int, int, *awsproto.Error) {
	if limit < 0 || limit > 100 {
		return 0, 0, awsproto.Errorf("InvalidLimitException", "Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100", limit)
	}
	if limit == 0 {
		limit = def
	}
	start := 0
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		n, cerr := strconv.Atoi(string(raw))
		if err != nil || cerr != nil || n < 0 {
			return 0, 0, awsproto.Errorf("InvalidNextTokenException", "The nextToken provided is invalid")
		}
		start = n
	}
	return limit, start, nil
}

func nextToken(end, total int) string {
	if end >= total {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
}

type listInput struct {
	ResourceType            string   `json:"resourceType"`
	ResourceIDs             []string `json:"resourceIds"`
	Limit                   int      `json:"limit"`
	IncludeDeletedResources bool     `json:"includeDeletedResources"`
	NextToken               string   `json:"nextToken"`
}

type resourceIdentifier struct {
	ResourceType         string   `json:"resourceType"`
	ResourceID           string   `json:"resourceId"`
	ResourceName         string   `json:"resourceName,omitempty"`
	ResourceDeletionTime *float64 `json:"resourceDeletionTime,omitempty"`
}

type listOutput struct {
	ResourceIdentifiers []resourceIdentifier `json:"resourceIdentifiers"`
	NextToken           string               `json:"nextToken,omitempty"`
}

func (s *Service) listDiscovered(c *svc.Call) (any, *awsproto.Error) {
	var in listInput
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	if err := checkType(in.ResourceType); err != nil {
		return nil, err
	}
	limit, start, err := pageBounds(in.Limit, in.NextToken, 100)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, id := range in.ResourceIDs {
		want[id] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if serr := s.sync(c.Caller.Account, c.Region, c.Now); serr != nil {
		return nil, internalError(serr)
	}
	var all []resourceIdentifier
	for _, h := range s.sortedKeys(scope{c.Caller.Account, c.Region}, in.ResourceType) {
		last := h.last()
		if (last.Status == StatusDeleted && !in.IncludeDeletedResources) || (len(want) > 0 && !want[h.ID]) {
			continue
		}
		ri := resourceIdentifier{ResourceType: h.Type, ResourceID: h.ID, ResourceName: last.Item.ResourceName}
		if last.Status == StatusDeleted {
			t := epoch(last.Capture)
			ri.ResourceDeletionTime = &t
		}
		all = append(all, ri)
	}
	end := min(start+limit, len(all))
	out := listOutput{ResourceIdentifiers: []resourceIdentifier{}, NextToken: nextToken(end, len(all))}
	if start < len(all) {
		out.ResourceIdentifiers = all[start:end]
	}
	return out, nil
}

type batchInput struct {
	ResourceKeys []struct {
		ResourceType string `json:"resourceType"`
		ResourceID   string `json:"resourceId"`
	} `json:"resourceKeys"`
}

type batchOutput struct {
	BaseConfigurationItems  []apiItem `json:"baseConfigurationItems"`
	UnprocessedResourceKeys []any     `json:"unprocessedResourceKeys"`
}

// batchGet returns the current item of up to 100 resources; deleted and
// unknown resources are left out, as Config does.
func (s *Service) batchGet(c *svc.Call) (any, *awsproto.Error) {
	var in batchInput
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	if n := len(in.ResourceKeys); n < 1 || n > 100 {
		return nil, validation("1 validation error detected: Value at 'resourceKeys' failed to satisfy constraint: Member must have length between 1 and 100, got %d", n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if serr := s.sync(c.Caller.Account, c.Region, c.Now); serr != nil {
		return nil, internalError(serr)
	}
	out := batchOutput{BaseConfigurationItems: []apiItem{}, UnprocessedResourceKeys: []any{}}
	for _, k := range in.ResourceKeys {
		if err := checkType(k.ResourceType); err != nil {
			return nil, err
		}
		h := s.history[scope{c.Caller.Account, c.Region}][resKey(k.ResourceType, k.ResourceID)]
		if h == nil || h.last().Status == StatusDeleted {
			continue
		}
		a := h.last().api()
		a.Tags, a.RelatedEvents, a.Relationships = nil, nil, nil
		out.BaseConfigurationItems = append(out.BaseConfigurationItems, a)
	}
	return out, nil
}
