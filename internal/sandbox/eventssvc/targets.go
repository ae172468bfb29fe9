package eventssvc

import (
	"regexp"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

var targetIDRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)

type targetIn struct {
	ID               string `json:"Id"`
	Arn              string `json:"Arn"`
	RoleArn          string `json:"RoleArn"`
	Input            string `json:"Input"`
	InputPath        string `json:"InputPath"`
	InputTransformer any    `json:"InputTransformer"`
}

type putTargetsIn struct {
	Rule         string     `json:"Rule"`
	EventBusName string     `json:"EventBusName"`
	Targets      []targetIn `json:"Targets"`
}

// FailedEntry is one PutTargets/RemoveTargets failure.
type FailedEntry struct {
	TargetID     string `json:"TargetId"`
	ErrorCode    string `json:"ErrorCode"`
	ErrorMessage string `json:"ErrorMessage"`
}

type failedOut struct {
	FailedEntryCount int           `json:"FailedEntryCount"`
	FailedEntries    []FailedEntry `json:"FailedEntries"`
}

// checkTarget reports why t cannot be stored, "" if it can. The sandbox
// delivers the matched event unchanged, so input rewriting is refused
// rather than ignored.
func checkTarget(t targetIn) string {
	switch {
	case !targetIDRE.MatchString(t.ID):
		return "Target Id must be 1 to 64 characters of [.-_A-Za-z0-9]."
	case !strings.HasPrefix(t.Arn, "arn:") || len(t.Arn) > 1600 || strings.Count(t.Arn, ":") < 5:
		return "Parameter " + t.Arn + " is not valid. Reason: Provided Arn is not in correct format."
	case t.Input != "" || t.InputPath != "" || t.InputTransformer != nil:
		return "The sandbox's EventBridge delivers the matched event unchanged; Input, InputPath and InputTransformer are not supported."
	}
	return ""
}

func (s *Service) putTargets(c *svc.Call) (any, *awsproto.Error) {
	var in putTargetsIn
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	if len(in.Targets) < 1 || len(in.Targets) > MaxTargetsPerPut {
		return nil, validation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and %d", MaxTargetsPerPut)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(c, nameIn{Name: in.Rule, EventBusName: in.EventBusName})
	if err != nil {
		return nil, err
	}
	out := failedOut{FailedEntries: []FailedEntry{}}
	next := *r
	next.Targets, next.Since = append([]target(nil), r.Targets...), c.Now.UnixMilli()
	for _, t := range in.Targets {
		if why := checkTarget(t); why != "" {
			out.FailedEntries = append(out.FailedEntries, FailedEntry{TargetID: t.ID, ErrorCode: "ValidationException", ErrorMessage: why})
			continue
		}
		next.Targets = upsert(next.Targets, target{ID: t.ID, Arn: t.Arn})
	}
	if len(next.Targets) > MaxTargets {
		return nil, awsproto.Errorf("LimitExceededException", "The requested resource exceeds the maximum number allowed.")
	}
	if err := s.persistLocked(&next); err != nil {
		return nil, internal(err)
	}
	s.replaceLocked(scope{r.Account, r.Region}, r, &next)
	out.FailedEntryCount = len(out.FailedEntries)
	return out, nil
}

func upsert(ts []target, t target) []target {
	for i := range ts {
		if ts[i].ID == t.ID {
			ts[i] = t
			return ts
		}
	}
	return append(ts, t)
}

type listTargetsIn struct {
	Rule         string `json:"Rule"`
	EventBusName string `json:"EventBusName"`
	NextToken    string `json:"NextToken"`
	Limit        *int   `json:"Limit"`
}

func (s *Service) listTargets(c *svc.Call) (any, *awsproto.Error) {
	var in listTargetsIn
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	limit, start, err := page(in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.lookup(c, nameIn{Name: in.Rule, EventBusName: in.EventBusName})
	if err != nil {
		return nil, err
	}
	out := struct {
		Targets   []target `json:"Targets"`
		NextToken string   `json:"NextToken,omitempty"`
	}{Targets: []target{}}
	for i := start; i < len(r.Targets) && len(out.Targets) < limit; i++ {
		out.Targets = append(out.Targets, r.Targets[i])
	}
	if next := start + len(out.Targets); next < len(r.Targets) {
		out.NextToken = encodeToken(next)
	}
	return out, nil
}

type removeTargetsIn struct {
	Rule         string   `json:"Rule"`
	EventBusName string   `json:"EventBusName"`
	IDs          []string `json:"Ids"`
	Force        bool     `json:"Force"`
}

// removeTargets removes the named targets; IDs the rule does not have are
// not an error.
func (s *Service) removeTargets(c *svc.Call) (any, *awsproto.Error) {
	var in removeTargetsIn
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	if len(in.IDs) < 1 || len(in.IDs) > 100 {
		return nil, validation("1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length between 1 and 100")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(c, nameIn{Name: in.Rule, EventBusName: in.EventBusName})
	if err != nil {
		return nil, err
	}
	next := *r
	next.Targets = nil
	for _, t := range r.Targets {
		if !contains(in.IDs, t.ID) {
			next.Targets = append(next.Targets, t)
		}
	}
	if err := s.persistLocked(&next); err != nil {
		return nil, internal(err)
	}
	s.replaceLocked(scope{r.Account, r.Region}, r, &next)
	return failedOut{FailedEntries: []FailedEntry{}}, nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
