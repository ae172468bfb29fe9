package kmssvc

import (
	"regexp"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

var (
	// PrincipalIdType and GrantNameType patterns from the KMS API model.
	principalRE = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	grantNameRE = regexp.MustCompile(`^[a-zA-Z0-9:/_-]+$`)
	grantIDRE   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	// principalARNRE is what a grant can name: an account (root), an IAM
	// user or role, a federated user or an assumed-role session.
	principalARNRE = regexp.MustCompile(`^arn:[a-z-]+:(iam::[0-9]{12}:(root|user/.+|role/.+)|sts::[0-9]{12}:(assumed-role/.+/.+|federated-user/.+))$`)
)

const (
	maxConstraintPairs = 8   // per constraint map
	maxConstraintValue = 384 // characters per value
)

type createGrantReq struct {
	KeyId                    *string
	GranteePrincipal         *string
	GranteeServicePrincipal  *string
	RetiringPrincipal        *string
	RetiringServicePrincipal *string
	Operations               []string
	Constraints              *constraints
	GrantTokens              []string
	Name                     *string
	DryRun                   *bool
}

// validate checks the request's members the way KMS's model does, before
// the key is looked at.
func (r *createGrantReq) validate() *awsproto.Error {
	switch {
	case r.KeyId == nil:
		return errNull("keyId")
	case r.GranteeServicePrincipal != nil || r.RetiringServicePrincipal != nil:
		return errUnsupported("The sandbox has no AWS service principals; name the grantee and retiring principals with GranteePrincipal and RetiringPrincipal")
	case r.GranteePrincipal == nil:
		return errNull("granteePrincipal")
	case r.Operations == nil:
		return errNull("operations")
	}
	if err := validPrincipal("granteePrincipal", *r.GranteePrincipal); err != nil {
		return err
	}
	if r.RetiringPrincipal != nil {
		if err := validPrincipal("retiringPrincipal", *r.RetiringPrincipal); err != nil {
			return err
		}
	}
	if r.Name != nil && (len(*r.Name) < 1 || len(*r.Name) > 256 || !grantNameRE.MatchString(*r.Name)) {
		return errValidation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$ and have length between 1 and 256", *r.Name)
	}
	if err := validOperations(r.Operations); err != nil {
		return err
	}
	return r.Constraints.validate()
}

func validPrincipal(member, p string) *awsproto.Error {
	if len(p) < 1 || len(p) > 256 || !principalRE.MatchString(p) {
		return errValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\w+=,.@:/-]+$", p, member)
	}
	if !principalARNRE.MatchString(p) {
		return errValidation("Invalid principal %s at '%s': use the ARN of an account (arn:aws:iam::111122223333:root), an IAM user or role, or an assumed-role session", p, member)
	}
	return nil
}

func validOperations(ops []string) *awsproto.Error {
	if len(ops) == 0 {
		return errValidation("1 validation error detected: Value '[]' at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	for _, op := range ops {
		symmetric, known := grantOps[op]
		if !known {
			return errValidation("1 validation error detected: Value '[%s]' at 'operations' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [%s]]", strings.Join(ops, ", "), grantOpsEnum)
		}
		if !symmetric {
			return errValidation("Grant operation %s is not supported on a SYMMETRIC_DEFAULT KMS key", op)
		}
	}
	return nil
}

func (c *constraints) validate() *awsproto.Error {
	if c == nil {
		return nil
	}
	for name, m := range map[string]map[string]string{"encryptionContextSubset": c.EncryptionContextSubset, "encryptionContextEquals": c.EncryptionContextEquals} {
		if len(m) > maxConstraintPairs {
			return errValidation("Constraint %s has %d encryption context pairs; a grant constraint can hold at most %d", name, len(m), maxConstraintPairs)
		}
		for k, v := range m {
			if k == "" || len(k) > maxConstraintValue || len(v) > maxConstraintValue {
				return errValidation("Constraint %s: encryption context keys must be 1 to %d characters and values at most %d", name, maxConstraintValue, maxConstraintValue)
			}
		}
	}
	return nil
}

// narrower reports whether a grant asked for by a principal whose
// CreateGrant permission comes from parent is allowed: its operations are
// a subset of parent's and its encryption context constraint is equally
// strict or stricter (KMS Developer Guide, "Granting CreateGrant
// permission").
func narrower(parent *grant, ops []string, c *constraints) bool {
	for _, op := range ops {
		if !parent.permits(op) {
			return false
		}
	}
	p := parent.Constraints
	if p.empty() {
		return true
	}
	if c.empty() {
		return false
	}
	if p.EncryptionContextEquals != nil {
		return c.EncryptionContextSubset == nil && mapsEqual(c.EncryptionContextEquals, p.EncryptionContextEquals)
	}
	if c.EncryptionContextEquals != nil {
		return includes(c.EncryptionContextEquals, p.EncryptionContextSubset)
	}
	return includes(c.EncryptionContextSubset, p.EncryptionContextSubset)
}

func mapsEqual(a, b map[string]string) bool { return len(a) == len(b) && includes(a, b) }
