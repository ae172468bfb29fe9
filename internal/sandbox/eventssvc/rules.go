package eventssvc

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/eventpattern"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type putRuleIn struct {
	Name               string `json:"Name"`
	EventPattern       string `json:"EventPattern"`
	ScheduleExpression string `json:"ScheduleExpression"`
	State              string `json:"State"`
	Description        string `json:"Description"`
	RoleArn            string `json:"RoleArn"`
	EventBusName       string `json:"EventBusName"`
}

type ruleOut struct {
	Name         string `json:"Name"`
	Arn          string `json:"Arn"`
	EventPattern string `json:"EventPattern,omitempty"`
	State        string `json:"State"`
	Description  string `json:"Description,omitempty"`
	EventBusName string `json:"EventBusName"`
	CreatedBy    string `json:"CreatedBy,omitempty"`
}

// checkBus accepts the default bus by name or ARN, as the only bus here.
func checkBus(c *svc.Call, name string) *awsproto.Error {
	if name == "" || name == defaultBus || name == "arn:aws:events:"+c.Region+":"+c.Caller.Account+":event-bus/default" {
		return nil
	}
	return awsproto.Errorf("ResourceNotFoundException", "Event bus %s does not exist.", name)
}

func checkName(name string) *awsproto.Error {
	if !nameRE.MatchString(name) {
		return validation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: "+
			"Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ (1 to 64 characters)", name)
	}
	return nil
}

func ruleNotFound(name string) *awsproto.Error {
	return awsproto.Errorf("ResourceNotFoundException", "Rule %s does not exist on EventBus default.", name)
}

func (in putRuleIn) check() (*eventpattern.Pattern, *awsproto.Error) {
	switch {
	case in.ScheduleExpression != "":
		return nil, validation("The sandbox's EventBridge does not run scheduled rules; give an EventPattern instead of ScheduleExpression.")
	case in.EventPattern == "":
		return nil, validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	case len(in.Description) > 512:
		return nil, validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 512")
	}
	switch in.State {
	case "", StateEnabled, StateDisabled, StateAllMgmt:
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: "+
			"Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]", in.State)
	}
	p, err := eventpattern.Parse(in.EventPattern)
	if err != nil {
		return nil, awsproto.Errorf("InvalidEventPatternException", "%s", err.Error())
	}
	return p, nil
}

func (s *Service) putRule(c *svc.Call) (any, *awsproto.Error) {
	var in putRuleIn
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	if err := checkName(in.Name); err != nil {
		return nil, err
	}
	if err := checkBus(c, in.EventBusName); err != nil {
		return nil, err
	}
	p, err := in.check()
	if err != nil {
		return nil, err
	}
	if in.State == "" {
		in.State = StateEnabled
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := scope{c.Caller.Account, c.Region}
	old := s.rules[sc][in.Name]
	if old == nil && len(s.rules[sc]) >= MaxRulesPerBus {
		return nil, awsproto.Errorf("LimitExceededException", "The requested resource exceeds the maximum number allowed.")
	}
	r := &rule{Account: sc.account, Region: sc.region, Name: in.Name, Pattern: in.EventPattern, State: in.State,
		Description: in.Description, parsed: p, m: &metrics{}, Since: c.Now.UnixMilli()}
	if old != nil {
		r.Targets = old.Targets
	}
	if err := s.persistLocked(r); err != nil {
		return nil, internal(err)
	}
	s.replaceLocked(sc, old, r)
	return map[string]string{"RuleArn": r.arn(s.env.Partition)}, nil
}

// replaceLocked installs r (not nil) in place of old (nil for a new rule)
// and keeps the enabled count; metrics carry over.
func (s *Service) replaceLocked(sc scope, old, r *rule) {
	if s.rules[sc] == nil {
		s.rules[sc] = map[string]*rule{}
	}
	if old != nil {
		if enabled(old.State) {
			s.enabled.Add(-1)
		}
		r.m = old.m
	}
	s.rules[sc][r.Name] = r
	if enabled(r.State) {
		s.enabled.Add(1)
	}
}

type nameIn struct {
	Name         string `json:"Name"`
	EventBusName string `json:"EventBusName"`
	Force        bool   `json:"Force"`
}

// lookup finds the named rule; caller holds s.mu.
func (s *Service) lookup(c *svc.Call, in nameIn) (*rule, *awsproto.Error) {
	if err := checkBus(c, in.EventBusName); err != nil {
		return nil, err
	}
	r := s.rules[scope{c.Caller.Account, c.Region}][in.Name]
	if r == nil {
		return nil, ruleNotFound(in.Name)
	}
	return r, nil
}

func (s *Service) describeRule(c *svc.Call) (any, *awsproto.Error) {
	var in nameIn
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.lookup(c, in)
	if err != nil {
		return nil, err
	}
	out := s.render(r)
	out.CreatedBy = r.Account
	return out, nil
}

func (s *Service) render(r *rule) ruleOut {
	return ruleOut{Name: r.Name, Arn: r.arn(s.env.Partition), EventPattern: r.Pattern, State: r.State,
		Description: r.Description, EventBusName: defaultBus}
}

type listRulesIn struct {
	NamePrefix   string `json:"NamePrefix"`
	EventBusName string `json:"EventBusName"`
	NextToken    string `json:"NextToken"`
	Limit        *int   `json:"Limit"`
}

func (s *Service) listRules(c *svc.Call) (any, *awsproto.Error) {
	var in listRulesIn
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	if err := checkBus(c, in.EventBusName); err != nil {
		return nil, err
	}
	limit, start, err := page(in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var names []string
	for n := range s.rules[scope{c.Caller.Account, c.Region}] {
		if strings.HasPrefix(n, in.NamePrefix) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	out := struct {
		Rules     []ruleOut `json:"Rules"`
		NextToken string    `json:"NextToken,omitempty"`
	}{Rules: []ruleOut{}}
	for i := start; i < len(names) && len(out.Rules) < limit; i++ {
		out.Rules = append(out.Rules, s.render(s.rules[scope{c.Caller.Account, c.Region}][names[i]]))
	}
	if next := start + len(out.Rules); next < len(names) {
		out.NextToken = encodeToken(next)
	}
	return out, nil
}

// deleteRule: refused while targets remain; deleting a rule that does not
// exist succeeds, as the API reference says repeated calls all succeed.
func (s *Service) deleteRule(c *svc.Call) (any, *awsproto.Error) {
	var in nameIn
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	if err := checkBus(c, in.EventBusName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := scope{c.Caller.Account, c.Region}
	r := s.rules[sc][in.Name]
	if r == nil {
		return nil, nil
	}
	if len(r.Targets) > 0 {
		return nil, validation("Rule can't be deleted since it has targets.")
	}
	if err := s.env.State.Delete(kindRule, r.id()); err != nil {
		return nil, internal(err)
	}
	if enabled(r.State) {
		s.enabled.Add(-1)
	}
	delete(s.rules[sc], in.Name)
	return nil, nil
}

func (s *Service) enableRule(c *svc.Call) (any, *awsproto.Error) { return s.setState(c, StateEnabled) }
func (s *Service) disableRule(c *svc.Call) (any, *awsproto.Error) {
	return s.setState(c, StateDisabled)
}

// setState: EnableRule sets ENABLED (a rule in state
// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS stays so).
func (s *Service) setState(c *svc.Call, state string) (any, *awsproto.Error) {
	var in nameIn
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(c, in)
	if err != nil {
		return nil, err
	}
	if state == StateEnabled && r.State == StateAllMgmt {
		return nil, nil
	}
	next := *r
	next.State, next.Since = state, c.Now.UnixMilli()
	if err := s.persistLocked(&next); err != nil {
		return nil, internal(err)
	}
	s.replaceLocked(scope{r.Account, r.Region}, r, &next)
	return nil, nil
}

func page(limit *int, token string) (int, int, *awsproto.Error) {
	n := 100
	if limit != nil {
		if *limit < 1 || *limit > 100 {
			return 0, 0, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", *limit)
		}
		n = *limit
	}
	if token == "" {
		return n, 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	rest, ok := strings.CutPrefix(string(raw), "events:")
	start, perr := strconv.Atoi(rest)
	if err != nil || !ok || perr != nil || start < 0 {
		return 0, 0, validation("The nextToken provided is invalid.")
	}
	return n, start, nil
}

func encodeToken(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("events:" + strconv.Itoa(n)))
}
