// Package awsx builds aws-sdk-go-v2 configurations for the accounts of an
// estate: the caller's default credential chain (AWS_PROFILE, env keys, SSO,
// instance roles; AWS_ENDPOINT_URL honoured by the SDK itself), then
// AssumeRole into the operator role of the Security account and the verify
// role of each consumer account. Assumed-role credentials are cached and
// refreshed by the SDK. Nothing here knows whether the endpoint is AWS or
// the sandbox; it never logs credentials.
package awsx

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// SessionName is the RoleSessionName byok uses, so CloudTrail shows who acted.
const SessionName = "byok"

// Load returns the default SDK configuration for region, with adaptive
// retry (client-side rate limiting on throttling errors). The Options on
// ctx (--profile, --region) take precedence over region and the
// environment; a region that no AWS partition knows is refused.
func Load(ctx context.Context, region string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRetryMode(aws.RetryModeAdaptive),
		config.WithRetryMaxAttempts(8),
		config.WithLogger(sdkLogger{}),
	}
	if ep := customEndpoint(); ep != "" {
		if err := checkEndpoint(ctx, ep); err != nil {
			return aws.Config{}, err
		}
		// Against a custom endpoint (the sandbox) there is no instance
		// metadata service to fall back to for credentials.
		opts = append(opts, config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	opts = append(opts, OptionsFrom(ctx).loadOptions()...)
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", ErrNoRegion)
	}
	if err := CheckRegion(cfg.Region); err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if err := CheckCredentials(ctx, cfg); err != nil {
		return aws.Config{}, err
	}
	return cfg, nil
}

// ErrNoRegion means neither the estate nor the environment named a region.
var ErrNoRegion = fmt.Errorf("no AWS region: set regions in the estate file or AWS_REGION")

// Assume returns a copy of base whose credentials come from AssumeRole on
// roleARN, cached until shortly before they expire, and refreshed at
// once when AWS answers a call ExpiredToken (RefreshOnExpiry; a session
// assumed with another session's credentials refreshes both).
func Assume(base aws.Config, roleARN string) aws.Config {
	cfg := base.Copy()
	p := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = SessionName
	})
	cfg.Credentials = aws.NewCredentialsCache(p)
	cfg.Retryer = RefreshOnExpiry(base, cfg.Credentials, base.Credentials)
	return cfg
}

// WithRegion returns a copy of cfg for another region.
func WithRegion(cfg aws.Config, region string) aws.Config {
	c := cfg.Copy()
	c.Region = region
	return c
}

// S3 returns an S3 client; with a custom endpoint (sandbox, S3-compatible
// gateways) it uses path-style addressing, since bucket subdomains of a
// loopback address do not resolve.
func S3(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if cfg.BaseEndpoint != nil {
			o.UsePathStyle = true
		}
	})
}

// Accounts hands out per-account configurations: the operator role for the
// Security account, the verify role (with {account} substituted) for the
// others. An empty role means "use the base credentials as they are".
type Accounts struct {
	base     aws.Config
	security string
	operator string
	verify   string
	mu       sync.Mutex
	cache    map[string]aws.Config
}

// NewAccounts builds the account map for an estate's roles.
func NewAccounts(base aws.Config, securityAccount, operatorRole, verifyRole string) *Accounts {
	return &Accounts{base: base, security: securityAccount, operator: operatorRole,
		verify: verifyRole, cache: map[string]aws.Config{}}
}

// Base returns the caller's own configuration.
func (a *Accounts) Base() aws.Config { return a.base }

// For returns the configuration used to act in account (in the base region).
func (a *Accounts) For(account string) aws.Config {
	a.mu.Lock()
	defer a.mu.Unlock()
	if cfg, ok := a.cache[account]; ok {
		return cfg
	}
	role := a.verify
	if account == a.security {
		role = a.operator
	}
	role = strings.ReplaceAll(role, "{account}", account)
	cfg := a.base
	if role != "" {
		cfg = Assume(a.base, role)
	}
	a.cache[account] = cfg
	return cfg
}

// CallerARN returns the ARN of the identity cfg acts as.
func CallerARN(ctx context.Context, cfg aws.Config) (string, error) {
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("get caller identity: %w", explainAssume(err, "for this account"))
	}
	return aws.ToString(out.Arn), nil
}
