package kmssvc

import (
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type alias struct {
	Name    string    `json:"name"`
	ARN     string    `json:"arn"`
	Account string    `json:"account"`
	Region  string    `json:"region"`
	Target  string    `json:"target"` // key ID
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

var aliasNameRE = regexp.MustCompile(`^[a-zA-Z0-9:/_-]+$`)

func isAWSAlias(name string) bool { return strings.HasPrefix(name, "alias/aws/") }

// checkAliasName applies AWS's rules to a customer alias name.
func checkAliasName(name string) *awsproto.Error {
	switch {
	case len(name) > 256:
		return errValidation("1 validation error detected: Value '%s' at 'aliasName' failed to satisfy constraint: Member must have length less than or equal to 256", name)
	case !aliasNameRE.MatchString(name):
		return errValidation("1 validation error detected: Value '%s' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$", name)
	case !strings.HasPrefix(name, "alias/") || len(name) == len("alias/"):
		return awsproto.Errorf("InvalidAliasNameException", "Alias name %s must begin with alias/ followed by a name, e.g. alias/prod/s3", name)
	case isAWSAlias(name):
		return awsproto.Errorf("InvalidAliasNameException", "Alias name %s begins with the reserved prefix alias/aws/, which only AWS managed keys use", name)
	}
	return nil
}

type aliasReq struct {
	AliasName   *string
	TargetKeyId *string
}

func (r *aliasReq) parse(c *svc.Call, needTarget bool) *awsproto.Error {
	if err := decode(c, r); err != nil {
		return err
	}
	switch {
	case r.AliasName == nil:
		return errNull("aliasName")
	case needTarget && r.TargetKeyId == nil:
		return errNull("targetKeyId")
	}
	return checkAliasName(*r.AliasName)
}

// aliasTarget resolves the key an alias will point to: a customer managed
// key of the caller's account and Region, not pending deletion.
func (s *Service) aliasTarget(c *svc.Call, ref string, ev *event) (*key, *awsproto.Error) {
	k, err := s.findKey(c, ref, access{action: c.Op}, ev)
	if err != nil {
		return nil, err
	}
	if k.Manager == managerAWS {
		return nil, errUnsupported("%s is an AWS managed key; aliases can point only to customer managed keys", k.ARN)
	}
	if k.state() == statePendingDeletion {
		return nil, errKeyState(k)
	}
	return k, nil
}

func createAlias(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req aliasReq
	if err := req.parse(c, true); err != nil {
		return nil, err
	}
	arn := aliasARN(s.env.Partition, c.Region, c.Caller.Account, *req.AliasName)
	k, err := s.aliasTarget(c, *req.TargetKeyId, ev)
	if err != nil {
		return nil, err
	}
	if s.aliases[arn] != nil {
		return nil, awsproto.Errorf("AlreadyExistsException", "An alias with the name %s already exists", arn)
	}
	a := &alias{Name: *req.AliasName, ARN: arn, Account: c.Caller.Account, Region: c.Region,
		Target: k.ID, Created: c.Now, Updated: c.Now}
	if err := s.putAlias(a); err != nil {
		return nil, err
	}
	s.aliases[arn] = a
	return struct{}{}, nil
}

func updateAlias(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req aliasReq
	if err := req.parse(c, true); err != nil {
		return nil, err
	}
	arn := aliasARN(s.env.Partition, c.Region, c.Caller.Account, *req.AliasName)
	a := s.aliases[arn]
	if a == nil {
		return nil, errNotFoundAlias(arn)
	}
	if old := s.keys[keyARN(s.env.Partition, c.Region, c.Caller.Account, a.Target)]; old != nil {
		ev.addKey(old)
	}
	k, err := s.aliasTarget(c, *req.TargetKeyId, ev)
	if err != nil {
		return nil, err
	}
	next := *a
	next.Target, next.Updated = k.ID, c.Now
	if err := s.putAlias(&next); err != nil {
		return nil, err
	}
	s.aliases[arn] = &next
	return struct{}{}, nil
}

func deleteAlias(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req aliasReq
	if err := req.parse(c, false); err != nil {
		return nil, err
	}
	arn := aliasARN(s.env.Partition, c.Region, c.Caller.Account, *req.AliasName)
	a := s.aliases[arn]
	if a == nil {
		return nil, errNotFoundAlias(arn)
	}
	if k := s.keys[keyARN(s.env.Partition, c.Region, c.Caller.Account, a.Target)]; k != nil {
		ev.addKey(k)
	}
	if err := s.dropAlias(a); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type listAliasesReq struct {
	listReq
	KeyId *string
}

type aliasEntry struct {
	AliasName       string
	AliasArn        string
	TargetKeyId     string
	CreationDate    epoch
	LastUpdatedDate epoch
}

func listAliases(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req listAliasesReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	filter := ""
	if req.KeyId != nil {
		k, err := s.lookup(c, *req.KeyId, access{action: "ListAliases"})
		if err != nil {
			return nil, err
		}
		ev.addKey(k)
		filter = k.ID
	}
	var all []*alias
	for _, a := range s.aliases {
		if a.Account == c.Caller.Account && a.Region == c.Region && (filter == "" || a.Target == filter) {
			all = append(all, a)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	from, to, next, err := req.page(len(all), 50, 100)
	if err != nil {
		return nil, err
	}
	out := []aliasEntry{}
	for _, a := range all[from:to] {
		out = append(out, aliasEntry{a.Name, a.ARN, a.Target, epoch(a.Created), epoch(a.Updated)})
	}
	return listOut("Aliases", out, next), nil
}

func init() {
	register("CreateAlias", opWrite, createAlias)
	register("UpdateAlias", opWrite, updateAlias)
	register("DeleteAlias", opWrite, deleteAlias)
	register("ListAliases", opRead, listAliases)
}
