package seed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/sandbox/identity"
)

// operatorSession is the operator role's maximum session: a rotation run
// across many keys outlasts STS's default hour.
const operatorSession = 12 * time.Hour

// Result says what the seed created.
type Result struct {
	Accounts []string // Security first, then each environment's account
	Roles    []string // role ARNs
	Keys     []Key    // keys created by this run, in estate order
	Existing []string // aliases that already existed and were left alone
}

// Key is one seeded KMS key.
type Key struct {
	Alias         string
	KeyID         string
	KeyARN        string
	Region        string
	Replicas      []string // replica key ARNs
	KeyMaterialID string
	ImportedAt    time.Time // sandbox time of the (backdated) import
	ValidTo       time.Time // zero when the material does not expire
}

// Apply seeds est into sb: accounts, roles, keys (through the SDK), then
// opts.Resources, and finally marks the state as seeded.
//
// Seeding is the world as it was, not traffic: when sb can suspend its
// injected faults, latency and quotas (FaultSuspender), they are off for
// the seed, so `byok sandbox --enforce-quotas --fault …` starts every time.
func Apply(ctx context.Context, sb Target, est *estate.Estate, opts Options) (Result, error) {
	if fs, ok := sb.(FaultSuspender); ok {
		defer fs.SuspendFaults()()
	}
	return apply(ctx, sb, est, opts)
}

// FaultSuspender is a Target whose injected faults can be switched off for
// the duration of the seed.
type FaultSuspender interface {
	SuspendFaults() (resume func())
}

func apply(ctx context.Context, sb Target, est *estate.Estate, opts Options) (Result, error) {
	var res Result
	if err := addAccounts(sb, est, &res); err != nil {
		return res, err
	}
	if err := addRoles(sb, est, &res); err != nil {
		return res, err
	}
	for _, k := range est.Keys() {
		if err := seedKey(ctx, sb, est, k, opts, &res); err != nil {
			return res, fmt.Errorf("seed key %s in %s: %w", k.Alias, k.Region, err)
		}
	}
	if opts.Resources != nil {
		if err := opts.Resources(ctx, sb, est); err != nil {
			return res, fmt.Errorf("seed resources: %w", err)
		}
	}
	if err := sb.MarkSeeded(opts.Source); err != nil {
		return res, fmt.Errorf("mark seeded: %w", err)
	}
	return res, nil
}

func addAccounts(sb Target, est *estate.Estate, res *Result) error {
	if err := sb.AddAccount(est.SecurityAccount, "security"); err != nil {
		return err
	}
	res.Accounts = append(res.Accounts, est.SecurityAccount)
	for _, env := range est.Environments {
		if err := sb.AddAccount(env.Account, env.Name); err != nil {
			return err
		}
		res.Accounts = append(res.Accounts, env.Account)
	}
	return nil
}

// addRoles registers the operator role (trusted by the Security account)
// and a verify role in every account (trusted by the Security account,
// where byok runs).
func addRoles(sb Target, est *estate.Estate, res *Result) error {
	trust := []string{"arn:aws:iam::" + est.SecurityAccount + ":root"}
	roles := []identity.Role{role(est.Roles.Operator, trust, operatorSession)}
	for _, acct := range est.Accounts() {
		roles = append(roles, role(est.VerifyRole(acct), trust, time.Hour))
		if acct != est.SecurityAccount {
			// The role the Config rule function assumes in member accounts
			// (deploy/member-account.yaml).
			roles = append(roles, role("arn:aws:iam::"+acct+":role/"+ConfigRuleMemberRole, trust, time.Hour))
		}
	}
	for _, r := range roles {
		if r.Account == "" {
			return fmt.Errorf("role %q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", r.ARN)
		}
		if err := sb.AddRole(r); err != nil {
			return err
		}
		res.Roles = append(res.Roles, r.ARN)
	}
	return nil
}

// ConfigRuleMemberRole is the member-account role of the Config rule.
const ConfigRuleMemberRole = "byok-config-rule-member"

func role(arn string, trusted []string, maxSession time.Duration) identity.Role {
	r := identity.Role{ARN: arn, Trusted: trusted, MaxSession: maxSession}
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	acct, path, ok2 := strings.Cut(rest, ":role/")
	if ok && ok2 && len(acct) == 12 && path != "" {
		r.Account = acct
		r.Name = path[strings.LastIndex(path, "/")+1:]
	}
	return r
}
