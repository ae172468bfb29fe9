package kmssvc

import (
	"regexp"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

var (
	uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	mrkRE  = regexp.MustCompile(`^mrk-[0-9a-f]{32}$`)
)

func validKeyID(id string) bool { return uuidRE.MatchString(id) || mrkRE.MatchString(id) }

// access says how an operation may name its key.
type access struct {
	action       string // key-policy action, e.g. "Decrypt"
	aliases      bool   // alias names and alias ARNs accepted
	crossAccount bool   // another account's key or alias ARN accepted
	createAWS    bool   // an unknown alias/aws/* creates the AWS managed key
	// encCtx is the request's encryption context, for grant constraints.
	encCtx map[string]string
}

func keyARN(partition, region, account, id string) string {
	return "arn:" + partition + ":kms:" + region + ":" + account + ":key/" + id
}

func aliasARN(partition, region, account, name string) string {
	return "arn:" + partition + ":kms:" + region + ":" + account + ":" + name
}

// findKey resolves ref for c and checks the key policy allows the action.
// The caller holds a lock (the write lock when a.createAWS is set).
func (s *Service) findKey(c *svc.Call, ref string, a access, ev *event) (*key, *awsproto.Error) {
	k, err := s.lookup(c, ref, a)
	if err != nil {
		return nil, err
	}
	ev.addKey(k)
	if err := s.authorize(c, k, a, ev); err != nil {
		return nil, err
	}
	return k, nil
}

func (s *Service) lookup(c *svc.Call, ref string, a access) (*key, *awsproto.Error) {
	if strings.HasPrefix(ref, "arn:") {
		return s.lookupARN(c, ref, a)
	}
	if strings.HasPrefix(ref, "alias/") {
		if !a.aliases {
			return nil, errInvalidKeyID(ref)
		}
		return s.lookupAlias(c, c.Caller.Account, ref, a)
	}
	if !validKeyID(ref) {
		return nil, errInvalidKeyID(ref)
	}
	arn := keyARN(s.env.Partition, c.Region, c.Caller.Account, ref)
	if k := s.keys[arn]; k != nil {
		return k, nil
	}
	return nil, errNotFoundKey(arn)
}

func (s *Service) lookupARN(c *svc.Call, ref string, a access) (*key, *awsproto.Error) {
	parts := strings.SplitN(ref, ":", 6)
	if len(parts) != 6 || parts[1] != s.env.Partition || parts[2] != "kms" || len(parts[4]) != 12 {
		return nil, errInvalidKeyID(ref)
	}
	region, account, res := parts[3], parts[4], parts[5]
	if account != c.Caller.Account && !a.crossAccount {
		return nil, errAccessDenied(c.Caller.ARN, a.action, ref, false)
	}
	if region != c.Region {
		return nil, errNotFoundKey(ref)
	}
	switch {
	case strings.HasPrefix(res, "alias/") && a.aliases:
		return s.lookupAlias(c, account, res, a)
	case strings.HasPrefix(res, "key/") && validKeyID(res[4:]):
		if k := s.keys[ref]; k != nil {
			return k, nil
		}
		return nil, errNotFoundKey(ref)
	}
	return nil, errInvalidKeyID(ref)
}

func (s *Service) lookupAlias(c *svc.Call, account, name string, a access) (*key, *awsproto.Error) {
	arn := aliasARN(s.env.Partition, c.Region, account, name)
	al := s.aliases[arn]
	if al == nil && a.createAWS && account == c.Caller.Account && isAWSAlias(name) {
		return s.createManaged(c, name)
	}
	if al == nil {
		return nil, errNotFoundAlias(arn)
	}
	k := s.keys[keyARN(s.env.Partition, c.Region, account, al.Target)]
	if k == nil {
		return nil, errNotFoundAlias(arn)
	}
	return k, nil
}

// usable checks the key state for cryptographic use.
func usable(k *key) *awsproto.Error {
	if k.state() != stateEnabled {
		return errKeyState(k)
	}
	return nil
}
