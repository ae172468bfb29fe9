// Package identity is the sandbox's IAM: accounts, their long-term access
// keys, roles with trust policies, and the temporary credentials AssumeRole
// issues. It answers "who is this access key" and "may this principal assume
// that role"; it does not evaluate service resource policies (KMS key policies
// are the KMS service's job) and it grants every principal full IAM
// permissions in its own account.
package identity

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/statelog"
)

// PrincipalType is the kind of caller. The zero value is invalid.
type PrincipalType string

// Principal types, spelled as CloudTrail's userIdentity.type spells them.
const (
	IAMUser     PrincipalType = "IAMUser"
	AssumedRole PrincipalType = "AssumedRole"
	Root        PrincipalType = "Root"
)

// Principal is an authenticated caller.
type Principal struct {
	Type        PrincipalType
	Account     string
	ARN         string // user ARN, or arn:aws:sts::A:assumed-role/R/S
	UserID      string // AIDA… for users; AROA…:session for roles
	RoleARN     string // arn:aws:iam::A:role/R for assumed roles
	SessionName string
	AccessKeyID string
}

// Credential is an access key with its secret and owner.
type Credential struct {
	AccessKeyID  string
	Secret       string
	SessionToken string    // only for temporary credentials
	Expires      time.Time // zero for long-term keys
	Principal    Principal
}

// Role is an IAM role with its trust policy, reduced to the list of
// principals it trusts: account IDs (any principal of that account) or ARNs.
type Role struct {
	ARN     string
	Account string
	Name    string
	RoleID  string // AROA…
	Trusted []string
	// MaxSession bounds DurationSeconds; 1 h when zero.
	MaxSession time.Duration
}

// Errors returned by the registry; services map them to AWS codes.
var (
	ErrUnknownKey   = errors.New("unknown access key")
	ErrExpired      = errors.New("security token expired")
	ErrBadToken     = errors.New("session token does not match")
	ErrNoSuchRole   = errors.New("no such role")
	ErrNotTrusted   = errors.New("principal not trusted by role")
	ErrBadDuration  = errors.New("duration out of range")
	errNotPersisted = errors.New("persist identity")
)

const (
	kindCred = "iam.cred"
	kindRole = "iam.role"
)

// Registry holds principals and credentials. Safe for concurrent use.
type Registry struct {
	mu    sync.RWMutex
	creds map[string]Credential
	roles map[string]Role
	log   *statelog.Log
}

// New returns a registry backed by log (which may be in-memory), loading
// what log already holds.
func New(log *statelog.Log) (*Registry, error) {
	r := &Registry{creds: map[string]Credential{}, roles: map[string]Role{}, log: log}
	if err := loadAll(log, kindCred, r.creds, func(c Credential) string { return c.AccessKeyID }); err != nil {
		return nil, err
	}
	if err := loadAll(log, kindRole, r.roles, func(x Role) string { return x.ARN }); err != nil {
		return nil, err
	}
	return r, nil
}

// AddUser registers a long-term access key for an IAM user of account.
func (r *Registry) AddUser(account, user, accessKeyID, secret string) (Credential, error) {
	c := Credential{AccessKeyID: accessKeyID, Secret: secret, Principal: Principal{
		Type: IAMUser, Account: account, ARN: "arn:aws:iam::" + account + ":user/" + user,
		UserID: "AIDA" + idSuffix(account+user), AccessKeyID: accessKeyID,
	}}
	return c, r.putCred(c)
}

// AddRole registers (or replaces) a role.
func (r *Registry) AddRole(role Role) error {
	if role.RoleID == "" {
		role.RoleID = "AROA" + idSuffix(role.ARN)
	}
	r.mu.Lock()
	r.roles[role.ARN] = role
	r.mu.Unlock()
	if err := r.log.Put(kindRole, role.ARN, role); err != nil {
		return fmt.Errorf("%w: %w", errNotPersisted, err)
	}
	return nil
}

// Role returns the role with arn.
func (r *Registry) Role(arn string) (Role, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	x, ok := r.roles[arn]
	return x, ok
}

// Lookup returns the credential for an access key, checking the session
// token and expiry of temporary credentials at now.
func (r *Registry) Lookup(accessKeyID, sessionToken string, now time.Time) (Credential, error) {
	r.mu.RLock()
	c, ok := r.creds[accessKeyID]
	r.mu.RUnlock()
	if !ok {
		return Credential{}, ErrUnknownKey
	}
	if c.SessionToken != "" && c.SessionToken != sessionToken {
		return Credential{}, ErrBadToken
	}
	if !c.Expires.IsZero() && !now.Before(c.Expires) {
		return Credential{}, ErrExpired
	}
	return c, nil
}

// AssumeRole issues temporary credentials for roleARN to caller.
func (r *Registry) AssumeRole(caller Principal, roleARN, session string, d time.Duration, now time.Time) (Credential, error) {
	role, ok := r.Role(roleARN)
	if !ok {
		return Credential{}, ErrNoSuchRole
	}
	if !trusts(role, caller) {
		return Credential{}, ErrNotTrusted
	}
	maxD := role.MaxSession
	if maxD == 0 {
		maxD = time.Hour
	}
	if d == 0 {
		d = time.Hour
	}
	if d < 15*time.Minute || d > maxD {
		return Credential{}, ErrBadDuration
	}
	key := "ASIA" + randomID(16)
	c := Credential{
		AccessKeyID: key, Secret: randomID(40), SessionToken: "FwoG" + randomID(64),
		Expires: now.Add(d).UTC().Truncate(time.Second),
		Principal: Principal{
			Type: AssumedRole, Account: role.Account, RoleARN: role.ARN, SessionName: session,
			ARN:    "arn:aws:sts::" + role.Account + ":assumed-role/" + role.Name + "/" + session,
			UserID: role.RoleID + ":" + session, AccessKeyID: key,
		},
	}
	return c, r.putCred(c)
}

// trusts reports whether the role's trust policy admits caller. A trusted
// account ID or "arn:aws:iam::A:root" admits every principal of A (IAM in A
// is assumed to allow sts:AssumeRole); a role ARN admits sessions of it.
func trusts(role Role, p Principal) bool {
	for _, t := range role.Trusted {
		switch {
		case t == p.Account, t == "arn:aws:iam::"+p.Account+":root":
			return true
		case t == p.ARN, p.RoleARN != "" && t == p.RoleARN:
			return true
		}
	}
	return false
}

func (r *Registry) putCred(c Credential) error {
	r.mu.Lock()
	r.creds[c.AccessKeyID] = c
	r.mu.Unlock()
	if err := r.log.Put(kindCred, c.AccessKeyID, c); err != nil {
		return fmt.Errorf("%w: %w", errNotPersisted, err)
	}
	return nil
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToUpper(b32.EncodeToString(b))[:n]
}

// idSuffix derives a stable 17-char ID suffix from s.
func idSuffix(s string) string {
	var h uint64 = 1469598103934665603
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return strings.ToUpper(b32.EncodeToString([]byte(fmt.Sprintf("%016x", h))))[:17]
}
