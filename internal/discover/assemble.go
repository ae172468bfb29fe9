package discover

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Draft is the estate discover found, ready to render.
type Draft struct {
	Security     string
	Regions      []string // Regions holding primaries, in the caller's order
	Pattern      Pattern
	Environments []Env
	Services     []string
	MultiRegion  []MultiRegion
	Keys         []Found
	Issues       []Issue
	OrgNote      string // why account names are missing, when asked for
}

// Env is one environment and its consumer account.
type Env struct {
	Name, Account, AccountName string
	Keys                       []string // aliases
}

// MultiRegion is one multi-Region key's replicas.
type MultiRegion struct {
	Env, Service string
	Replicas     []string
}

// Assemble turns the keys found into a draft: one consumer account per
// environment, the services and Regions seen, the multi-Region replicas,
// and an issue for everything that does not fit an estate.
func Assemble(o Options, found []Found, issues []Issue) *Draft {
	d := &Draft{Security: o.Security, Pattern: o.Pattern, Issues: slices.Clone(issues)}
	keys := dedupe(d, found)
	envs := map[string]*Env{}
	services := map[string]bool{}
	regions := map[string]bool{}
	for _, f := range keys {
		d.Keys = append(d.Keys, f)
		services[f.Service] = true
		regions[f.Region] = true
		e := envs[f.Env]
		if e == nil {
			e = &Env{Name: f.Env}
			envs[f.Env] = e
		}
		e.Keys = append(e.Keys, f.Alias)
		d.consumer(o, e, f)
		if len(f.Replicas) > 0 {
			d.MultiRegion = append(d.MultiRegion, MultiRegion{Env: f.Env, Service: f.Service, Replicas: f.Replicas})
			if len(o.Regions) > 0 && f.Region != o.Regions[0] {
				d.add("regions", f.Alias, "multi-Region primary in %s, but an estate keeps its primaries in its first Region (%s): list %s first", f.Region, o.Regions[0], f.Region)
			}
		}
	}
	for _, r := range o.Regions {
		if regions[r] {
			d.Regions = append(d.Regions, r)
		}
	}
	for _, s := range []string{"s3", "rds", "dynamodb"} {
		if services[s] {
			d.Services = append(d.Services, s)
		}
	}
	for _, name := range sortedKeys(envs) {
		e := envs[name]
		if e.Account == "" {
			continue
		}
		e.AccountName = o.Org[e.Account]
		d.Environments = append(d.Environments, *e)
	}
	d.holes()
	sort.SliceStable(d.Issues, func(i, j int) bool { return d.Issues[i].Section < d.Issues[j].Section })
	return d
}

func (d *Draft) add(section, subject, format string, args ...any) {
	d.Issues = append(d.Issues, Issue{Section: section, Subject: subject, What: fmt.Sprintf(format, args...)})
}

// dedupe drops every (env, service, Region) that two keys claim.
func dedupe(d *Draft, found []Found) []Found {
	by := map[string][]Found{}
	for _, f := range found {
		k := f.Env + "/" + f.Service + "/" + f.Region
		by[k] = append(by[k], f)
	}
	var out []Found
	for _, f := range found {
		dup := by[f.Env+"/"+f.Service+"/"+f.Region]
		if len(dup) == 1 {
			out = append(out, f)
			continue
		}
		if dup[0].KeyARN == f.KeyARN {
			d.add("alias_format", f.Alias, "%d keys in %s are env %q service %q (%s): make the pattern tell them apart, or leave one out",
				len(dup), f.Region, f.Env, f.Service, aliasesOf(dup))
		}
	}
	return out
}

// consumer sets the environment's account from f's policy, or says why not.
func (d *Draft) consumer(o Options, e *Env, f Found) {
	switch {
	case len(f.Consumers) == 0:
		d.add("environments", f.Alias, "key policy names no account besides the Security account; set environments.%s.account by hand", f.Env)
		return
	case len(f.Consumers) > 1:
		d.add("environments", f.Alias, "key policy allows %d accounts (%s); byok expects one consumer account per environment",
			len(f.Consumers), strings.Join(f.Consumers, ", "))
		return
	}
	acct := f.Consumers[0]
	if o.Org != nil {
		if _, ok := o.Org[acct]; !ok {
			d.add("environments", f.Alias, "key is shared with account %s, which is not in the organisation", acct)
		}
	}
	switch {
	case e.Account == "":
		e.Account = acct
	case e.Account != acct:
		d.add("environments", f.Alias, "environment %q is account %s by its other keys but this key's policy names %s", f.Env, e.Account, acct)
	}
}

// holes reports the (environment, service, Region) keys the estate will
// expect that discover did not find.
func (d *Draft) holes() {
	have := map[string]bool{}
	for _, f := range d.Keys {
		have[f.Env+"/"+f.Service+"/"+f.Region] = true
		for _, r := range f.Replicas {
			have[f.Env+"/"+f.Service+"/"+r] = true
		}
	}
	for _, e := range d.Environments {
		for _, s := range d.Services {
			for _, r := range d.Regions {
				if !have[e.Name+"/"+s+"/"+r] {
					alias := strings.NewReplacer(phEnv, e.Name, phService, s).Replace(d.Pattern.String())
					d.add("services", alias, "the estate expects %s in %s (every environment has every service) but no such EXTERNAL key was found: create it, or split the estate", alias, r)
				}
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
