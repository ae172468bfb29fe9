package estate

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// KMS wrapping algorithms and wrapping key specs GetParametersForImport
// accepts for symmetric keys. RSAES_PKCS1_V1_5 is no longer accepted by AWS.
var (
	wrappingAlgorithms = []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"}
	wrappingKeySpecs   = []string{"RSA_2048", "RSA_3072", "RSA_4096"}
	strategies         = []string{string(StrategyInPlace), string(StrategyNewKey)}
	aliasRE            = regexp.MustCompile(`^alias/[A-Za-z0-9/_-]+$`)
)

func (p *parser) regions(n *yaml.Node, field string) []string {
	items, ok := p.sequence(n, field)
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.fail(n, field, ErrMissing, "list at least one region, e.g. [eu-west-1]; the first is the primary", "no regions listed")
	}
	var out []string
	seen := map[string]bool{}
	for i, it := range items {
		r, ok := p.region(it, index(field, i))
		if !ok {
			continue
		}
		if seen[r] {
			p.fail(it, index(field, i), ErrDuplicate, "list each region once", "region %q is listed twice", r)
			continue
		}
		if len(out) > 0 && !samePartition(r, out[0]) {
			p.fail(it, index(field, i), ErrRegion, "one estate is one AWS partition (accounts and roles do not cross partitions); describe the other partition in its own estate file",
				"region %q is in partition %s, the first region %s in %s", r, partitionOf(r), out[0], partitionOf(out[0]))
			continue
		}
		seen[r] = true
		out = append(out, r)
	}
	return out
}

// aliasFormat checks the alias template: KMS alias names start with
// "alias/", "alias/aws/" is reserved for AWS managed keys, and each
// (env, service) needs its own alias, so both placeholders are required.
func (p *parser) aliasFormat(n *yaml.Node, field string) string {
	s, ok := p.scalar(n, field)
	if !ok {
		return ""
	}
	const hint = "e.g. alias/{env}/{service} or alias/byok-{env}-{service}"
	probe := strings.NewReplacer(phEnv, "env", phService, "svc").Replace(s)
	switch {
	case !strings.HasPrefix(s, "alias/"):
		p.fail(n, field, ErrAliasFormat, hint, "%q must start with alias/", s)
	case strings.HasPrefix(s, "alias/aws/"):
		p.fail(n, field, ErrAliasFormat, hint, "%q: alias/aws/ is reserved for AWS managed keys", s)
	case !strings.Contains(s, phEnv) || !strings.Contains(s, phService):
		p.fail(n, field, ErrAliasFormat, hint, "%q must contain both {env} and {service}, so every key gets its own alias", s)
	case !aliasRE.MatchString(probe) || len(probe) > 200:
		p.fail(n, field, ErrAliasFormat, hint+"; only letters, digits, '/', '_', '-' and the two placeholders",
			"%q does not render to a valid KMS alias name", s)
	default:
		return s
	}
	return ""
}

func (p *parser) policy(n *yaml.Node, field string, pol *Policy) {
	f, ok := p.mapping(n, field, []string{"max_material_age", "expiry_warning", "wrapping", "strategy"})
	if !ok {
		return
	}
	maxEntry, hasMax := f.get("max_material_age")
	if hasMax {
		pol.MaxMaterialAge, hasMax = p.duration(maxEntry.val, join(field, "max_material_age"))
	}
	warnEntry, hasWarn := f.get("expiry_warning")
	if hasWarn {
		pol.ExpiryWarning, hasWarn = p.duration(warnEntry.val, join(field, "expiry_warning"))
	}
	if v, ok := f.get("wrapping"); ok {
		p.wrapping(v.val, join(field, "wrapping"), &pol.Wrapping)
	}
	if v, ok := f.get("strategy"); ok {
		s, _ := p.oneOf(v.val, join(field, "strategy"), ErrStrategy, strategies)
		pol.Strategy = Strategy(s)
	}
	// A failed duration is 0 here and already reported.
	if pol.MaxMaterialAge > 0 && pol.ExpiryWarning > 0 && pol.ExpiryWarning >= pol.MaxMaterialAge {
		at, name := maxEntry.val, "max_material_age"
		if hasWarn {
			at, name = warnEntry.val, "expiry_warning"
		}
		p.fail(at, join(field, name), ErrDuration, "the warning window must be shorter than max_material_age",
			"expiry_warning (%s) is not shorter than max_material_age (%s)",
			FormatDuration(pol.ExpiryWarning), FormatDuration(pol.MaxMaterialAge))
	}
}

func (p *parser) wrapping(n *yaml.Node, field string, w *Wrapping) {
	f, ok := p.mapping(n, field, []string{"algorithm", "key_spec"})
	if !ok {
		return
	}
	if v, ok := f.get("algorithm"); ok {
		if s, _ := p.scalar(v.val, join(field, "algorithm")); s == "RSAES_PKCS1_V1_5" {
			p.fail(v.val, join(field, "algorithm"), ErrWrapping, "use RSAES_OAEP_SHA_256 (or RSAES_OAEP_SHA_1 if your HSM lacks it)",
				"AWS KMS no longer accepts RSAES_PKCS1_V1_5 for importing key material")
			w.Algorithm = ""
		} else if s != "" {
			w.Algorithm, _ = p.oneOf(v.val, join(field, "algorithm"), ErrWrapping, wrappingAlgorithms)
		}
	}
	if v, ok := f.get("key_spec"); ok {
		w.KeySpec, _ = p.oneOf(v.val, join(field, "key_spec"), ErrWrapping, wrappingKeySpecs)
	}
}

// roles checks the operator role, which must live in the Security account
// because KMS import and rotation calls are not cross-account, and the
// verify role, which may name each account with {account}.
func (p *parser) roles(n *yaml.Node, field, security string) Roles {
	var r Roles
	f, ok := p.mapping(n, field, []string{"operator", "verify"})
	if !ok {
		return r
	}
	p.require(f, field, "operator", "verify")
	if v, ok := f.get("operator"); ok {
		arn, acct, ok := p.roleARN(v.val, join(field, "operator"), false)
		if ok && security != "" && acct != security {
			p.fail(v.val, join(field, "operator"), ErrAccountConflict,
				fmt.Sprintf("use a role in the Security account, arn:aws:iam::%s:role/…", security),
				"the operator role is in account %s, not the Security account %s that owns the keys", acct, security)
		}
		r.Operator = arn
	}
	if v, ok := f.get("verify"); ok {
		r.Verify, _, _ = p.roleARN(v.val, join(field, "verify"), true)
	}
	return r
}
