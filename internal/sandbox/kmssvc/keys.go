package kmssvc

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type createKeyReq struct {
	Description           *string
	KeyUsage              *string
	KeySpec               *string
	CustomerMasterKeySpec *string
	Origin                *string
	MultiRegion           *bool
	Policy                *string
	Tags                  []tag
}

func newKeyID(multiRegion bool) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	if multiRegion {
		return "mrk-" + hex.EncodeToString(b[:])
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// materialID derives the KeyMaterialId (64 hex digits) from the key ID and
// the material, so reimporting the same material gives the same ID, in
// every Region of a multi-Region key.
func materialID(keyID string, m []byte) string {
	h := hmac.New(sha256.New, []byte(keyID))
	h.Write(m)
	return hex.EncodeToString(h.Sum(nil))
}

func enumErr(member, value string, allowed string) *awsproto.Error {
	return errValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", value, member, allowed)
}

func (r *createKeyReq) validate() *awsproto.Error {
	spec := deref(r.KeySpec, deref(r.CustomerMasterKeySpec, symmetricDefault))
	switch {
	case r.Description != nil && len(*r.Description) > 8192:
		return errValidation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192")
	case spec != symmetricDefault:
		return errUnsupported("The sandbox supports KeySpec SYMMETRIC_DEFAULT only, not %s", spec)
	case deref(r.KeyUsage, "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT":
		return errUnsupported("KeyUsage %s is not valid for a SYMMETRIC_DEFAULT key; use ENCRYPT_DECRYPT", *r.KeyUsage)
	}
	switch o := deref(r.Origin, originAWS); o {
	case originAWS, originExternal:
	case "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE":
		return errUnsupported("The sandbox has no custom key stores; use Origin AWS_KMS or EXTERNAL")
	default:
		return enumErr("origin", o, "AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE")
	}
	return validateTags(r.Tags)
}

func createKey(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req createKeyReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	mr := req.MultiRegion != nil && *req.MultiRegion
	id := newKeyID(mr)
	k := &key{ID: id, Account: c.Caller.Account, Region: c.Region, Created: c.Now,
		ARN: keyARN(s.env.Partition, c.Region, c.Caller.Account, id), Description: deref(req.Description, ""),
		Origin: deref(req.Origin, originAWS), Manager: managerCustomer, Enabled: true, MultiRegion: mr,
		Policy: deref(req.Policy, defaultPolicy(s.env.Partition, c.Caller.Account)), Tags: req.Tags}
	p, perr := parsePolicy(k.Policy)
	if perr != nil {
		return nil, awsproto.Errorf("MalformedPolicyDocumentException", "%s", perr.Error())
	}
	k.policy = p
	if k.Origin == originAWS {
		if err := generateMaterial(k); err != nil {
			return nil, err
		}
	}
	if err := s.putKey(k); err != nil {
		return nil, err
	}
	s.keys[k.ARN] = k
	ev.addKey(k)
	return map[string]any{"KeyMetadata": s.metadata(k)}, nil
}

// generateMaterial gives an AWS_KMS key its first material.
func generateMaterial(k *key) *awsproto.Error {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	m := &material{ID: materialID(k.ID, b), State: matCurrent}
	if err := m.setBytes(b); err != nil {
		return errInternal("generate key material")
	}
	clear(b)
	k.Materials = append(k.Materials, m)
	return nil
}

// createManaged creates the AWS managed key behind a predefined alias
// alias/aws/<service>, as AWS does on first reference.
func (s *Service) createManaged(c *svc.Call, name string) (*key, *awsproto.Error) {
	id := newKeyID(false)
	acct := c.Caller.Account
	k := &key{ID: id, Account: acct, Region: c.Region, Created: c.Now, ARN: keyARN(s.env.Partition, c.Region, acct, id),
		Description: "Default key that protects my " + name[len("alias/aws/"):] + " data when no other key is defined",
		Origin:      originAWS, Manager: managerAWS, Enabled: true, Policy: managedPolicy(acct)}
	k.policy, _ = parsePolicy(k.Policy)
	if err := generateMaterial(k); err != nil {
		return nil, err
	}
	if err := s.putKey(k); err != nil {
		return nil, err
	}
	s.keys[k.ARN] = k
	a := &alias{Name: name, ARN: aliasARN(s.env.Partition, c.Region, acct, name), Account: acct,
		Region: c.Region, Target: id, Created: c.Now, Updated: c.Now}
	if err := s.putAlias(a); err != nil {
		return nil, err
	}
	s.aliases[a.ARN] = a
	return k, nil
}

// managedPolicy lets principals of the account use the key (AWS's also
// requires kms:ViaService; the sandbox cannot tell services apart).
func managedPolicy(account string) string {
	return `{"Version":"2012-10-17","Id":"auto-managed","Statement":[{"Sid":"Allow access through the AWS service for all principals in the account","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:CreateGrant","kms:DescribeKey"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"` + account + `"}}},{"Sid":"Allow direct access to key metadata to the account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":["kms:Describe*","kms:Get*","kms:List*"],"Resource":"*"}]}`
}

type keyIDReq struct {
	KeyId *string
}

func (r *keyIDReq) parse(c *svc.Call) *awsproto.Error {
	if err := decode(c, r); err != nil {
		return err
	}
	if r.KeyId == nil {
		return errNull("keyId")
	}
	return nil
}

func describeKey(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req keyIDReq
	if err := req.parse(c); err != nil {
		return nil, err
	}
	k, err := s.findKey(c, *req.KeyId, access{action: "DescribeKey", aliases: true, crossAccount: true, createAWS: true}, ev)
	if err != nil {
		return nil, err
	}
	return map[string]any{"KeyMetadata": s.metadata(k)}, nil
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func init() {
	register("CreateKey", opWrite, createKey)
	register("DescribeKey", opReadLocked, describeKey)
}
