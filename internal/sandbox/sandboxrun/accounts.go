package sandboxrun

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/identity"
)

// State kinds this package keeps in the sandbox state log.
const (
	kindAccount = "sandboxrun.account"
	kindSeed    = "sandboxrun.seed"
	seedID      = "seed"
)

var accountRE = regexp.MustCompile(`^\d{12}$`)

// Account is a sandbox account and the name it is known by (security,
// dev, prod, … after the estate's environments).
type Account struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// SeedMark records that a seed completed on this state.
type SeedMark struct {
	Source string    `json:"source"` // estate file or "demo"
	At     time.Time `json:"at"`     // sandbox clock
}

// AddAccount creates account id (idempotent) with its admin user and
// remembers its name.
func (s *Sandbox) AddAccount(id, name string) error {
	if !accountRE.MatchString(id) {
		return fmt.Errorf("account %q: an AWS account ID is 12 digits", id)
	}
	if _, err := s.Server.AddAccount(id); err != nil {
		return fmt.Errorf("add account %s: %w", id, err)
	}
	if err := s.Server.Env.State.Put(kindAccount, id, Account{ID: id, Name: name}); err != nil {
		return fmt.Errorf("add account %s: %w", id, err)
	}
	return nil
}

// Accounts lists the accounts in the order they were added.
func (s *Sandbox) Accounts() []Account {
	var out []Account
	_ = s.Server.Env.State.Each(kindAccount, func(_ string, raw json.RawMessage) error {
		var a Account
		if json.Unmarshal(raw, &a) == nil {
			out = append(out, a)
		}
		return nil
	})
	return out
}

// MarkSeeded records that a seed from source completed and publishes a
// new state file: a first seed appears whole or not at all.
func (s *Sandbox) MarkSeeded(source string) error {
	if err := s.Server.Env.State.Put(kindSeed, seedID, SeedMark{Source: source, At: s.Now()}); err != nil {
		return err
	}
	return s.Publish()
}

// Publish makes a new state file appear at its path (see New: until then
// it is written beside it). Commands call it once the world is built;
// MarkSeeded does.
func (s *Sandbox) Publish() error { return s.Server.Env.State.Publish() }

// Seeded reports the seed that completed on this state, if any.
func (s *Sandbox) Seeded() (SeedMark, bool) {
	var m SeedMark
	found := false
	_ = s.Server.Env.State.Each(kindSeed, func(_ string, raw json.RawMessage) error {
		found = json.Unmarshal(raw, &m) == nil
		return nil
	})
	return m, found
}

// Exports are the environment settings that point the AWS SDK and CLI at
// the sandbox as account's admin user, as NAME=value lines, and the admin
// token byok's sandbox commands use. On a loopback sandbox the credentials
// are derived from the account ID and are not secrets.
func (s *Sandbox) Exports(account string) []string {
	akid, secret := s.keys(account)
	return []string{
		"AWS_ENDPOINT_URL=" + s.URL(),
		"AWS_ACCESS_KEY_ID=" + akid,
		"AWS_SECRET_ACCESS_KEY=" + secret,
		"AWS_REGION=" + s.Region(),
		"AWS_DEFAULT_REGION=" + s.Region(), // the AWS CLI v1 reads only this one
		sandbox.AdminTokenEnv + "=" + s.AdminToken(),
	}
}

// keys are account's admin credentials as stored (random on a remote
// sandbox), or the derived ones for an account not added yet.
func (s *Sandbox) keys(account string) (akid, secret string) {
	if c, ok := s.Server.AccountCredential(account); ok {
		return c.AccessKeyID, c.Secret
	}
	return sandbox.AccountKeys(account)
}

// AdminToken is the token the sandbox's /_byok/ admin endpoints require.
func (s *Sandbox) AdminToken() string { return s.Server.AdminToken() }

// AdminClient is an HTTP client whose requests carry the admin token.
func (s *Sandbox) AdminClient() *http.Client {
	return &http.Client{Transport: sandbox.AdminTransport(nil, s.AdminToken())}
}

// Config returns an aws.Config for the unmodified SDK that reaches the
// sandbox as account's admin user. It reads no ambient AWS configuration.
func (s *Sandbox) Config(_ context.Context, account string) aws.Config {
	akid, secret := s.keys(account)
	return aws.Config{
		Region:       s.Region(),
		BaseEndpoint: aws.String(s.URL()),
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(akid, secret, "")),
	}
}

// AddRole registers (or replaces) an IAM role and its trust policy.
func (s *Sandbox) AddRole(r identity.Role) error {
	if err := s.Server.Env.IAM.AddRole(r); err != nil {
		return fmt.Errorf("add role %s: %w", r.ARN, err)
	}
	return nil
}
