package estate

import (
	"fmt"
	"maps"
	"slices"

	"gopkg.in/yaml.v3"
)

// environments parses the name → {account, maintenance_window} mapping in
// file order. It also returns every declared name, valid or not, so that
// multi_region does not report a second, spurious "unknown env".
func (p *parser) environments(n *yaml.Node, field, security string) ([]Environment, map[string]bool) {
	f, ok := p.mapping(n, field, nil)
	if !ok {
		return nil, nil
	}
	if len(f.node.Content) == 0 {
		p.fail(n, field, ErrMissing, `add at least one, e.g. dev: {account: "222222222222"}`, "no environments listed")
	}
	var envs []Environment
	names := map[string]bool{}
	owner := map[string]string{} // account → env name
	for i := 0; i+1 < len(f.node.Content); i += 2 {
		k := deref(f.node.Content[i])
		if _, ok := f.entries[k.Value]; !ok || f.entries[k.Value].key != k {
			continue // unusable or duplicate key, already reported
		}
		names[k.Value] = true
		env, ok := p.environment(k, f.entries[k.Value].val, join(field, k.Value), security)
		if !ok {
			continue
		}
		if other, dup := owner[env.Account]; dup {
			p.fail(k, join(field, k.Value+".account"), ErrDuplicate,
				"each environment is its own consumer account; merge the two or fix the ID",
				"account %s is already used by environment %q", env.Account, other)
			continue
		}
		owner[env.Account] = env.Name
		envs = append(envs, env)
	}
	return envs, names
}

func (p *parser) environment(k, v *yaml.Node, field, security string) (Environment, bool) {
	name, nameOK := p.envName(k, field)
	f, ok := p.mapping(v, field, []string{"account", "maintenance_window"})
	if !ok {
		return Environment{}, false
	}
	p.require(f, field, "account")
	env := Environment{Name: name}
	accountOK, windowOK := false, true
	if a, has := f.get("account"); has {
		env.Account, accountOK = p.account(a.val, join(field, "account"))
		if accountOK && env.Account == security {
			p.fail(a.val, join(field, "account"), ErrAccountConflict,
				"keys live in the Security account; give each environment its own consumer account",
				"account %s is the Security account", env.Account)
			accountOK = false
		}
	}
	if w, has := f.get("maintenance_window"); has {
		env.MaintenanceWindow, windowOK = p.window(w.val, join(field, "maintenance_window"))
	}
	return env, nameOK && accountOK && windowOK
}

// services parses the service list; names is nil unless every item is valid.
func (p *parser) services(n *yaml.Node, field string) (list []Service, names []string) {
	items, ok := p.sequence(n, field)
	if !ok {
		return nil, nil
	}
	if len(items) == 0 {
		p.fail(n, field, ErrMissing, "list one or more of s3, rds, dynamodb", "no services listed")
	}
	var out []Service
	var raw []string
	complete := true
	for i, it := range items {
		raw = append(raw, it.Value)
		s, ok := p.service(it, index(field, i))
		if !ok {
			complete = false
			continue
		}
		if slices.Contains(out, s) {
			p.fail(it, index(field, i), ErrDuplicate, "list each service once", "service %q is listed twice", s)
			continue
		}
		out = append(out, s)
	}
	if !complete {
		return out, nil // a typo here must not make multi_region report a second error
	}
	return out, raw
}

// refs are the names multi_region entries may refer to; services is nil
// when the list itself is broken, and is then not checked against.
type refs struct {
	envs     map[string]bool
	services []string
	regions  []string
}

func (p *parser) multiRegion(n *yaml.Node, field string, r refs) []MultiRegionKey {
	items, ok := p.sequence(n, field)
	if !ok {
		return nil
	}
	var out []MultiRegionKey
	seen := map[[2]string]bool{}
	for i, it := range items {
		mr, ok := p.multiRegionKey(it, index(field, i), r)
		if !ok {
			continue
		}
		id := [2]string{mr.Env, string(mr.Service)}
		if seen[id] {
			p.fail(it, index(field, i), ErrDuplicate, "one entry per key; put all its replicas in one list",
				"%s/%s is already multi-Region", mr.Env, mr.Service)
			continue
		}
		seen[id] = true
		out = append(out, mr)
	}
	return out
}

func (p *parser) multiRegionKey(n *yaml.Node, field string, r refs) (MultiRegionKey, bool) {
	var mr MultiRegionKey
	f, ok := p.mapping(n, field, []string{"env", "service", "replicas"})
	if !ok {
		return mr, false
	}
	p.require(f, field, "env", "service", "replicas")
	ok = len(f.entries) == 3
	if v, has := f.get("env"); has {
		mr.Env, has = p.scalar(v.val, join(field, "env"))
		if has && !r.envs[mr.Env] && !p.full() {
			p.fail(v.val, join(field, "env"), ErrUnknownReference, suggest(mr.Env, slices.Sorted(maps.Keys(r.envs))), "no environment %q", mr.Env)
			has = false
		}
		ok = ok && has
	}
	if v, has := f.get("service"); has {
		mr.Service, has = p.service(v.val, join(field, "service"))
		if has && r.services != nil && !slices.Contains(r.services, string(mr.Service)) {
			p.fail(v.val, join(field, "service"), ErrUnknownReference, "add it to services: or remove this entry",
				"service %q is not in services", mr.Service)
			has = false
		}
		ok = ok && has
	}
	if v, has := f.get("replicas"); has {
		mr.Replicas, has = p.replicas(v.val, join(field, "replicas"), r.regions)
		ok = ok && has
	}
	return mr, ok
}

// replicas checks replica regions: valid, distinct, and not the primary
// region (regions[0]), where the primary key itself lives.
func (p *parser) replicas(n *yaml.Node, field string, regions []string) ([]string, bool) {
	items, ok := p.sequence(n, field)
	if !ok {
		return nil, false
	}
	if len(items) == 0 {
		p.fail(n, field, ErrMissing, "list one or more replica regions, e.g. [eu-central-1]", "no replicas listed")
		return nil, false
	}
	var out []string
	seen := map[string]bool{}
	for i, it := range items {
		reg, good := p.region(it, index(field, i))
		switch {
		case !good:
			ok = false
		case len(regions) > 0 && reg == regions[0]:
			p.fail(it, index(field, i), ErrReplica, fmt.Sprintf("the primary key is in %s (the first of regions); list only other regions", reg),
				"replica region %s is the primary region", reg)
			ok = false
		case seen[reg]:
			p.fail(it, index(field, i), ErrDuplicate, "list each replica region once", "replica region %s is listed twice", reg)
			ok = false
		case len(regions) > 0 && !samePartition(reg, regions[0]):
			p.fail(it, index(field, i), ErrReplica, "a multi-Region key's replicas stay in its partition; list regions of "+partitionOf(regions[0]),
				"replica region %s is in partition %s, the primary %s in %s", reg, partitionOf(reg), regions[0], partitionOf(regions[0]))
			ok = false
		default:
			seen[reg] = true
			out = append(out, reg)
		}
	}
	return out, ok
}
