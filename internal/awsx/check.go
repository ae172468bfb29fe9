package awsx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// Errors that stop a command before it does anything, each with what to do.
var (
	ErrNoCredentials = errors.New("no AWS credentials found: set AWS_PROFILE (or run aws sso login), export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or, for the local sandbox, paste the export block byok sandbox printed")
	ErrEndpointDown  = errors.New("AWS_ENDPOINT_URL is not answering: start byok sandbox, or unset AWS_ENDPOINT_URL to talk to AWS")
	ErrCannotAssume  = errors.New("the credentials in use may not assume the role")
)

// customEndpoint is the AWS_ENDPOINT_URL override ("" for AWS).
func customEndpoint() string { return os.Getenv("AWS_ENDPOINT_URL") }

// checkEndpoint fails fast when the endpoint override refuses connections,
// instead of letting the SDK retry for tens of seconds.
func checkEndpoint(ctx context.Context, endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return fmt.Errorf("AWS_ENDPOINT_URL=%q is not a URL: %w", endpoint, err)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[string]string{"https": "443"}[u.Scheme]+map[string]string{"http": "80"}[u.Scheme])
	}
	d := net.Dialer{Timeout: 3 * time.Second}
	c, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return fmt.Errorf("%w (%s: %v)", ErrEndpointDown, endpoint, err)
	}
	return c.Close()
}

// CheckCredentials retrieves the configured credentials once, so that a
// missing credential is one clear error rather than an SDK chain at the
// first call.
func CheckCredentials(ctx context.Context, cfg aws.Config) error {
	if cfg.Credentials == nil {
		return ErrNoCredentials
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return fmt.Errorf("%w (%v)", ErrNoCredentials, err)
	}
	return nil
}

// explainAssume adds what to do to an AssumeRole refusal (matched by the
// STS error code, never by message text).
func explainAssume(err error, role string) error {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "AccessDenied" {
		return fmt.Errorf("%w %s: check the role's trust policy (roles.operator / roles.verify in the estate) and that you use the Security account's credentials: %w", ErrCannotAssume, role, err)
	}
	return err
}
