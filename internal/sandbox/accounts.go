package sandbox

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/identity"
)

// AdminUser is the IAM user every seeded account gets.
const AdminUser = "byok-admin"

// AddAccount gives account an IAM user with a long-term access key and
// returns it. Idempotent. On a loopback sandbox the key is derived from the
// account ID (sandbox credentials are not secrets; they are printed as
// exports); a Remote sandbox gives a random secret instead.
func (s *Server) AddAccount(account string) (identity.Credential, error) {
	akid, secret := AccountKeys(account)
	if c, err := s.Env.IAM.Lookup(akid, "", s.Env.Clock.Now()); err == nil {
		return c, nil
	}
	if s.remote {
		secret = newAdminToken()[:40] // reachable from other hosts: not derivable
	}
	return s.Env.IAM.AddUser(account, AdminUser, akid, secret)
}

// AccountCredential returns the admin user's long-term credential of an
// account added with AddAccount.
func (s *Server) AccountCredential(account string) (identity.Credential, bool) {
	akid, _ := AccountKeys(account)
	c, err := s.Env.IAM.Lookup(akid, "", s.Env.Clock.Now())
	return c, err == nil
}

// AccountKeys derives the sandbox access key ID and secret of an account.
func AccountKeys(account string) (accessKeyID, secret string) {
	h := sha256.Sum256([]byte("byok-sandbox/" + account))
	akid := "AKIA" + strings.ToUpper(hex.EncodeToString(h[:8]))
	h2 := sha512.Sum512([]byte("byok-sandbox-secret/" + account))
	sec := base64.RawStdEncoding.EncodeToString(h2[:])
	return akid, sec[:40]
}
