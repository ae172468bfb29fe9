package estate

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/byok-dev/byok/internal/pkcs11uri"
	"github.com/byok-dev/byok/internal/regions"
)

// Checks that relate one field to others or to the outside world (AWS
// partitions, what an HSM URI needs to be opened). Each closes a hole
// through which an estate validated and then failed, or silently did
// less, at run time.

// regionHint suggests known regions for an unknown name.
func regionHint(s string) string {
	err := regions.Check(s)
	if _, near, ok := strings.Cut(err.Error(), "; "); ok {
		return near + " (Region names from the AWS SDK's partition metadata)"
	}
	return "use a Region AWS lists, e.g. eu-west-1 (Region names from the AWS SDK's partition metadata)"
}

func partitionOf(region string) string {
	p, _ := regions.Partition(region)
	return p
}

func samePartition(a, b string) bool { return partitionOf(a) == partitionOf(b) }

// hsmComplete requires what opening the HSM needs and the URI grammar
// leaves optional: the module to load and where the PIN comes from.
func (p *parser) hsmComplete(n *yaml.Node, field, raw string) bool {
	u, err := pkcs11uri.Parse(raw)
	if err != nil {
		return false // reported by the caller
	}
	switch {
	case u.ModulePath == "":
		p.fail(n, field, ErrHSM, "add module-path=/path/to/the/vendor/pkcs11.so to the URI's query (SoftHSM2: /usr/lib/softhsm/libsofthsm2.so)",
			"the HSM URI names no module-path, so byok cannot load the token's PKCS#11 library")
		return false
	case u.PINSource.Kind == pkcs11uri.PINSourceInvalid:
		p.fail(n, field, ErrHSM, "add pin-source=env:BYOK_HSM_PIN (or file:PATH, a file only you can read) to the URI's query",
			"the HSM URI names no pin-source, so byok cannot log in to the token")
		return false
	}
	return true
}

// verifyRole checks roles.verify against the consumer accounts: a role
// pinned to one account (no {account}) serves only that account, so with
// several consumer accounts the others would be verified with a role of
// the wrong account (AssumeRole fails or, worse, checks the wrong account).
func (p *parser) verifyRole(n *yaml.Node, verify string, envs []Environment) {
	if n == nil || verify == "" || strings.Contains(verify, phAccount) || len(envs) == 0 {
		return
	}
	m := roleARNRE.FindStringSubmatch(verify)
	if m == nil {
		return
	}
	const field = "roles.verify"
	fix := strings.Replace(verify, "::"+m[1]+":", "::"+phAccount+":", 1)
	if len(envs) > 1 {
		p.fail(n, field, ErrAccountConflict, fmt.Sprintf("write %q: {account} becomes each consumer account's ID", fix),
			"the verify role is pinned to account %s, but %d consumer accounts use it", m[1], len(envs))
		return
	}
	if m[1] != envs[0].Account {
		p.fail(n, field, ErrAccountConflict, fmt.Sprintf("write %q or a role in account %s", fix, envs[0].Account),
			"the verify role is in account %s, but the only consumer account is %s (environment %s)", m[1], envs[0].Account, envs[0].Name)
	}
}

// mappingValue returns the value node of key in mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if deref(n.Content[i]).Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}
