package backend

import (
	"errors"
	"fmt"
)

// Environment variables that select and configure the AWS variant.
const (
	EnvEnable          = "BYOK_CONFORMANCE_AWS"              // "1": run the aws variant
	EnvProfile         = "BYOK_CONFORMANCE_PROFILE"          // profile of the test (Security) account
	EnvConsumerProfile = "BYOK_CONFORMANCE_CONSUMER_PROFILE" // optional profile of a second (consumer) account
	EnvRegion          = "BYOK_CONFORMANCE_REGION"           // default DefaultRegion
	EnvEndpoint        = "BYOK_CONFORMANCE_ENDPOINT"         // acknowledges a non-AWS endpoint (AWS_ENDPOINT_URL)
)

// DefaultRegion is where the aws variant runs unless EnvRegion says otherwise.
const DefaultRegion = "eu-west-1"

// Kind is the backend a variant runs on; the zero value is invalid.
type Kind int

// The backends.
const (
	KindUnknown Kind = iota
	KindSandbox
	KindAWS
)

func (k Kind) String() string {
	switch k {
	case KindSandbox:
		return "sandbox"
	case KindAWS:
		return "aws"
	}
	return "unknown"
}

// Selection errors, matched with errors.Is.
var (
	// ErrEnableValue: EnvEnable is neither unset, "0" nor "1".
	ErrEnableValue = errors.New("bad " + EnvEnable + " value")
	// ErrCredentials: the aws variant is enabled but names no credentials.
	ErrCredentials = errors.New("credentials missing: set AWS_PROFILE/" + EnvProfile +
		" to a profile of a test account (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")
	// ErrEndpoint: AWS_ENDPOINT_URL would send the aws variant somewhere
	// else than AWS without the caller saying so.
	ErrEndpoint = errors.New("AWS_ENDPOINT_URL is set for the aws variant")
)

// Selection is what the environment asks of the aws variant.
type Selection struct {
	Kind            Kind   // KindSandbox: the aws variant is not enabled
	Profile         string // "": static credentials from the environment
	ConsumerProfile string // "": one account plays Security and consumer
	Region          string
	Endpoint        string // "": AWS itself
}

// Select reads the environment through getenv (os.Getenv in tests, a map
// in the table test) and says which backend the aws variant uses, or why
// it cannot run. It never falls back: an enabled variant without
// credentials is an error, not a skip.
func Select(getenv func(string) string) (Selection, error) {
	switch v := getenv(EnvEnable); v {
	case "", "0":
		return Selection{Kind: KindSandbox}, nil
	case "1":
	default:
		return Selection{}, fmt.Errorf("%w %q: set %s=1 to run against AWS, or unset it", ErrEnableValue, v, EnvEnable)
	}
	s := Selection{Kind: KindAWS, Profile: getenv(EnvProfile), ConsumerProfile: getenv(EnvConsumerProfile),
		Region: getenv(EnvRegion), Endpoint: getenv(EnvEndpoint)}
	if s.Profile == "" {
		s.Profile = getenv("AWS_PROFILE")
	}
	keys := getenv("AWS_ACCESS_KEY_ID") != "" && getenv("AWS_SECRET_ACCESS_KEY") != ""
	if s.Profile == "" && !keys {
		return Selection{}, ErrCredentials
	}
	if s.Region == "" {
		s.Region = DefaultRegion
	}
	if u := getenv("AWS_ENDPOINT_URL"); u != "" && u != s.Endpoint {
		return Selection{}, fmt.Errorf("%w (%s): unset it so that the aws variant reaches AWS, or set %s to the same URL to run it against that endpoint on purpose",
			ErrEndpoint, u, EnvEndpoint)
	}
	return s, nil
}

// skipMessage says how to enable the aws variant.
func skipMessage() string {
	return fmt.Sprintf("aws variant not run: set %s=1 and %s=<profile of a test account> (or AWS_PROFILE; optional %s for a second account, %s, default %s); see docs/operations.md",
		EnvEnable, EnvProfile, EnvConsumerProfile, EnvRegion, DefaultRegion)
}
