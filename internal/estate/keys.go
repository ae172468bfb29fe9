package estate

import (
	"slices"
	"strings"
)

// Alias renders the alias name of the (env, service) key from AliasFormat.
func (e *Estate) Alias(env string, svc Service) string {
	return strings.NewReplacer(phEnv, env, phService, string(svc)).Replace(e.AliasFormat)
}

// PrimaryRegion is the first listed region, where multi-Region primary
// keys live.
func (e *Estate) PrimaryRegion() string {
	if len(e.Regions) == 0 {
		return ""
	}
	return e.Regions[0]
}

// Keys lists the estate's keys: one per environment, service and listed
// region, in file order. A multi-Region key is one Key in the primary
// region carrying its Replicas; a replica region that is also listed in
// regions gets no separate key for that (env, service), because the
// replica is the key there (see KeyFor).
func (e *Estate) Keys() []Key {
	var keys []Key
	for _, env := range e.Environments {
		for _, svc := range e.Services {
			replicas := e.replicasOf(env.Name, svc)
			for _, region := range e.Regions {
				if slices.Contains(replicas, region) {
					continue
				}
				keys = append(keys, e.key(env, svc, region, replicas))
			}
		}
	}
	return keys
}

// KeyFor returns the key that serves (env, svc) in region. In a replica
// region of a multi-Region key that is the primary Key (same key ID; its
// Region is the primary region). ok is false when the estate has no such key.
func (e *Estate) KeyFor(env string, svc Service, region string) (Key, bool) {
	en, ok := e.Environment(env)
	if !ok || !slices.Contains(e.Services, svc) {
		return Key{}, false
	}
	replicas := e.replicasOf(env, svc)
	switch {
	case slices.Contains(replicas, region):
		return e.key(en, svc, e.PrimaryRegion(), replicas), true
	case slices.Contains(e.Regions, region):
		return e.key(en, svc, region, replicas), true
	}
	return Key{}, false
}

// key builds one Key; only the primary region's key carries replicas.
func (e *Estate) key(env Environment, svc Service, region string, replicas []string) Key {
	k := Key{
		Env:       env.Name,
		Service:   svc,
		Alias:     e.Alias(env.Name, svc),
		Account:   e.SecurityAccount,
		Region:    region,
		Consumer:  env.Account,
		Secondary: region != e.PrimaryRegion(),
	}
	if region == e.PrimaryRegion() && len(replicas) > 0 {
		k.Replicas = slices.Clone(replicas)
	}
	return k
}

func (e *Estate) replicasOf(env string, svc Service) []string {
	for _, mr := range e.MultiRegion {
		if mr.Env == env && mr.Service == svc {
			return mr.Replicas
		}
	}
	return nil
}

// Environment returns the environment called name.
func (e *Estate) Environment(name string) (Environment, bool) {
	for _, env := range e.Environments {
		if env.Name == name {
			return env, true
		}
	}
	return Environment{}, false
}

// EnvForAccount returns the environment whose consumer account is acct.
// The Security account is no environment.
func (e *Estate) EnvForAccount(acct string) (Environment, bool) {
	for _, env := range e.Environments {
		if env.Account == acct {
			return env, true
		}
	}
	return Environment{}, false
}

// VerifyRole returns the role ARN byok assumes in account to verify keys,
// with any {account} in roles.verify replaced by account.
func (e *Estate) VerifyRole(account string) string {
	return strings.ReplaceAll(e.Roles.Verify, phAccount, account)
}

// Accounts lists every account of the estate: the Security account first,
// then each environment's consumer account in file order.
func (e *Estate) Accounts() []string {
	out := make([]string, 0, 1+len(e.Environments))
	out = append(out, e.SecurityAccount)
	for _, env := range e.Environments {
		out = append(out, env.Account)
	}
	return out
}
