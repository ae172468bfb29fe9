package awsx

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/byok-dev/byok/internal/regions"
)

// Options are the AWS CLI's --profile and --region for one invocation:
// Profile selects the shared-config profile (overriding AWS_PROFILE) and
// Region the base region (overriding the region Load is given and
// AWS_REGION). They travel on the context so that every Load of a command
// sees them without threading them through each caller.
type Options struct {
	Profile string
	Region  string
}

type optionsKey struct{}

// WithOptions returns ctx carrying o.
func WithOptions(ctx context.Context, o Options) context.Context {
	return context.WithValue(ctx, optionsKey{}, o)
}

// OptionsFrom returns the options on ctx (zero when none).
func OptionsFrom(ctx context.Context) Options {
	o, _ := ctx.Value(optionsKey{}).(Options)
	return o
}

// loadOptions turns o into LoadDefaultConfig options.
func (o Options) loadOptions() []func(*config.LoadOptions) error {
	var opts []func(*config.LoadOptions) error
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	return opts
}

// CheckRegion refuses a region no AWS partition lists (regions.Check).
func CheckRegion(region string) error { return regions.Check(region) }
