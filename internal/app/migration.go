package app

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/rotation"
)

// DefaultMigrationRole is the role deploy/member-account.yaml creates in
// a member account when EnableMigrationRole=true ({account} is replaced).
const DefaultMigrationRole = "arn:aws:iam::{account}:role/byok-migration"

// MigrationRoleTemplate names where the migration role is defined, for
// errors.
const MigrationRoleTemplate = "deploy/member-account.yaml (parameter EnableMigrationRole=true)"

// MigrationRoleError: the member account's migration role could not be
// assumed.
type MigrationRoleError struct {
	Role string
	Err  error
}

func (e *MigrationRoleError) Error() string {
	return fmt.Sprintf("cannot assume the migration role %s: %v; deploy it with %s", e.Role, e.Err, MigrationRoleTemplate)
}

func (e *MigrationRoleError) Unwrap() error { return e.Err }

// Migration is rotation.Resources through each member account's
// migration role, assumed from the operator role (the only principal its
// trust policy names); the operator role itself never changes a resource.
// One assumption per account and Region, cached; a failed one is retried
// on the next call (a resumed step).
type Migration struct {
	c        *Clients
	security string
	template string

	mu  sync.Mutex
	cfg map[[2]string]aws.Config
}

// NewMigration returns the migration role clients; template is the role
// ARN with {account} (DefaultMigrationRole when empty).
func NewMigration(c *Clients, securityAccount, template string) *Migration {
	if template == "" {
		template = DefaultMigrationRole
	}
	return &Migration{c: c, security: securityAccount, template: template, cfg: map[[2]string]aws.Config{}}
}

// RoleARN is the migration role of account.
func (m *Migration) RoleARN(account string) string {
	return strings.ReplaceAll(m.template, "{account}", account)
}

func (m *Migration) config(ctx context.Context, account, region string) (aws.Config, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := [2]string{account, region}
	if cfg, ok := m.cfg[k]; ok {
		return cfg, nil
	}
	role := m.RoleARN(account)
	op := m.c.Accounts().For(m.security)
	cfg := awsx.WithRegion(awsx.Assume(op, role), region) // refreshed on ExpiredToken, with the operator session
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, &MigrationRoleError{Role: role, Err: err}
	}
	m.cfg[k] = cfg
	return cfg, nil
}

// RDS implements rotation.Resources.
func (m *Migration) RDS(ctx context.Context, account, region string) (rotation.RDS, error) {
	cfg, err := m.config(ctx, account, region)
	if err != nil {
		return nil, err
	}
	return rds.NewFromConfig(cfg), nil
}

// DynamoDB implements rotation.Resources.
func (m *Migration) DynamoDB(ctx context.Context, account, region string) (rotation.DynamoDB, error) {
	cfg, err := m.config(ctx, account, region)
	if err != nil {
		return nil, err
	}
	return dynamodb.NewFromConfig(cfg), nil
}
