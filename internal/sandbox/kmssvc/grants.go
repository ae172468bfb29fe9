package kmssvc

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// Grants (KMS Developer Guide, "Grants in AWS KMS"): a grant lets one
// grantee principal call a list of grant operations on one key, optionally
// only when the request's encryption context equals or includes the
// grant's constraint. A grant allows, it never denies: an explicit Deny in
// the key policy still wins. The sandbox is strongly consistent, so a new
// grant is effective at once; grant tokens are still issued and checked.

const (
	kindGrant = "kms.grant"
	// maxGrantsPerKey is AWS's "Grants for a KMS key" resource quota.
	maxGrantsPerKey = 50000
)

// grantOps are the GrantOperation enum values; the bool says whether the
// operation is supported on the sandbox's SYMMETRIC_DEFAULT keys.
var grantOps = map[string]bool{
	"Decrypt": true, "Encrypt": true, "GenerateDataKey": true, "GenerateDataKeyWithoutPlaintext": true,
	"ReEncryptFrom": true, "ReEncryptTo": true, "CreateGrant": true, "RetireGrant": true, "DescribeKey": true,
	"GenerateDataKeyPair": true, "GenerateDataKeyPairWithoutPlaintext": true,
	"Sign": false, "Verify": false, "GetPublicKey": false, "GenerateMac": false, "VerifyMac": false,
	"DeriveSharedSecret": false,
}

const grantOpsEnum = "Decrypt, Encrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, ReEncryptFrom, ReEncryptTo, Sign, Verify, GetPublicKey, CreateGrant, RetireGrant, DescribeKey, GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext, GenerateMac, VerifyMac, DeriveSharedSecret"

// contextOps are the grant operations that take an encryption context: the
// only ones an encryption-context constraint applies to.
var contextOps = map[string]bool{
	"Decrypt": true, "Encrypt": true, "GenerateDataKey": true, "GenerateDataKeyWithoutPlaintext": true,
	"ReEncryptFrom": true, "ReEncryptTo": true, "GenerateDataKeyPair": true, "GenerateDataKeyPairWithoutPlaintext": true,
}

// constraints is GrantConstraints, as the API and the state file spell it.
type constraints struct {
	EncryptionContextSubset map[string]string `json:",omitempty"`
	EncryptionContextEquals map[string]string `json:",omitempty"`
}

func (c *constraints) empty() bool {
	return c == nil || (c.EncryptionContextSubset == nil && c.EncryptionContextEquals == nil)
}

// allows reports whether a request's encryption context satisfies c.
func (c *constraints) allows(encCtx map[string]string) bool {
	if c.empty() {
		return true
	}
	if c.EncryptionContextEquals != nil && !maps.Equal(c.EncryptionContextEquals, encCtx) {
		return false
	}
	return includes(encCtx, c.EncryptionContextSubset)
}

// includes reports whether every pair of sub is in m.
func includes(m, sub map[string]string) bool {
	for k, v := range sub {
		if got, ok := m[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// grant is one grant on one key.
type grant struct {
	ID          string       `json:"id"`
	KeyARN      string       `json:"keyArn"`
	Account     string       `json:"account"` // the key's account: it issued the grant
	Region      string       `json:"region"`
	Name        string       `json:"name,omitempty"`
	Grantee     string       `json:"grantee"`
	Retiring    string       `json:"retiring,omitempty"`
	Operations  []string     `json:"operations"`
	Constraints *constraints `json:"constraints,omitempty"`
	Created     time.Time    `json:"created"`
}

func (g *grant) permits(op string) bool { return contains(g.Operations, op) }

// sameAs reports whether a CreateGrant request with a Name is a retry of g.
func (g *grant) sameAs(o *grant) bool {
	return g.KeyARN == o.KeyARN && g.Name == o.Name && g.Grantee == o.Grantee && g.Retiring == o.Retiring &&
		sameSet(g.Operations, o.Operations) && sameConstraints(g.Constraints, o.Constraints)
}

func sameSet(a, b []string) bool {
	for _, x := range a {
		if !contains(b, x) {
			return false
		}
	}
	for _, x := range b {
		if !contains(a, x) {
			return false
		}
	}
	return true
}

func sameConstraints(a, b *constraints) bool {
	if a.empty() || b.empty() {
		return a.empty() == b.empty()
	}
	return maps.Equal(a.EncryptionContextEquals, b.EncryptionContextEquals) &&
		maps.Equal(a.EncryptionContextSubset, b.EncryptionContextSubset)
}

func newGrantID() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// grantFor returns a grant on k that lets the caller perform a.action with
// a.encCtx, or nil. The caller holds a lock.
func (s *Service) grantFor(c *svc.Call, k *key, a access) *grant {
	for _, g := range s.grantsOf(k.ARN) {
		if !g.permits(a.action) || !principalMatches(g.Grantee, c.Caller, s.env.Partition) {
			continue
		}
		if contextOps[a.action] && !g.Constraints.allows(a.encCtx) {
			continue
		}
		return g
	}
	return nil
}

// grantIndex holds the grants by ID and, per key, oldest first.
type grantIndex struct {
	byID  map[string]*grant
	byKey map[string][]*grant
}

func newGrantIndex() grantIndex {
	return grantIndex{byID: map[string]*grant{}, byKey: map[string][]*grant{}}
}

func (x *grantIndex) add(g *grant) {
	x.byID[g.ID] = g
	gs := append(x.byKey[g.KeyARN], g)
	if n := len(gs); n > 1 && !gs[n-2].before(g) {
		sortGrants(gs)
	}
	x.byKey[g.KeyARN] = gs
}

func (x *grantIndex) remove(g *grant) {
	delete(x.byID, g.ID)
	gs := x.byKey[g.KeyARN]
	for i, o := range gs {
		if o.ID == g.ID {
			gs = append(gs[:i:i], gs[i+1:]...)
			break
		}
	}
	if len(gs) == 0 {
		delete(x.byKey, g.KeyARN)
		return
	}
	x.byKey[g.KeyARN] = gs
}

// grantsOf lists keyARN's grants, oldest first (the caller must not
// modify the slice).
func (s *Service) grantsOf(keyARN string) []*grant { return s.grants.byKey[keyARN] }

func (g *grant) before(o *grant) bool {
	if !g.Created.Equal(o.Created) {
		return g.Created.Before(o.Created)
	}
	return g.ID < o.ID
}

func sortGrants(gs []*grant) {
	sort.Slice(gs, func(i, j int) bool { return gs[i].before(gs[j]) })
}

func (s *Service) loadGrants() error {
	return s.env.State.Each(kindGrant, func(_ string, raw json.RawMessage) error {
		g := &grant{}
		if err := json.Unmarshal(raw, g); err != nil {
			return fmt.Errorf("load kms grant: %w", err)
		}
		s.grants.add(g)
		return nil
	})
}

func (s *Service) putGrant(g *grant) *awsproto.Error {
	if err := s.env.State.Put(kindGrant, g.ID, g); err != nil {
		s.env.Logger.Error("kms persist grant failed", "key_arn", g.KeyARN, "error", err.Error())
		return errInternal("persist the grant")
	}
	s.grants.add(g)
	return nil
}

func (s *Service) dropGrant(g *grant) *awsproto.Error {
	if err := s.env.State.Delete(kindGrant, g.ID); err != nil {
		s.env.Logger.Error("kms delete grant failed", "key_arn", g.KeyARN, "error", err.Error())
		return errInternal("delete the grant")
	}
	s.grants.remove(g)
	return nil
}

// dropGrantsOf deletes a deleted key's grants.
func (s *Service) dropGrantsOf(keyARN string) {
	for _, g := range append([]*grant(nil), s.grantsOf(keyARN)...) {
		_ = s.dropGrant(g)
	}
}
