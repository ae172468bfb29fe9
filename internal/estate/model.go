// Package estate owns the model of the user's estate (byok.yaml): the
// Security account that owns every key, the consumer accounts per environment,
// the services, regions, aliases, rotation policy and HSM URI.
//
// It parses strictly (unknown fields, bad account IDs, ARNs, durations and
// duplicates are errors carrying file:line and a hint) and never guesses.
// It does no I/O beyond reading the file it is given and never talks to AWS.
package estate

import (
	"time"
)

// Service is one of the AWS services whose resources byok keeps on estate keys.
type Service string

// The services byok knows. Any other value in the estate is an error.
const (
	ServiceS3       Service = "s3"
	ServiceRDS      Service = "rds"
	ServiceDynamoDB Service = "dynamodb"
)

// Strategy is how a key's material is rotated.
type Strategy string

// Rotation strategies (DESIGN.md).
const (
	// StrategyInPlace imports NEW_KEY_MATERIAL and calls RotateKeyOnDemand:
	// the key ID and ARN never change.
	StrategyInPlace Strategy = "in-place"
	// StrategyNewKey creates a new EXTERNAL key and moves the alias.
	StrategyNewKey Strategy = "new-key"
)

// Estate is a validated byok.yaml. Every field is set (defaults applied)
// once Parse returns without error.
type Estate struct {
	// Path is the file the estate was read from ("" when parsed from bytes).
	Path            string
	SecurityAccount string
	Regions         []string
	AliasFormat     string
	Policy          Policy
	// HSM is the PKCS#11 URI (RFC 7512) exactly as written; parsed by package pkcs11uri.
	HSM          string
	Roles        Roles
	Environments []Environment
	Services     []Service
	MultiRegion  []MultiRegionKey
	// Schedule and Alerts drive byok serve (serve_model.go).
	Schedule Schedule
	Alerts   Alerts
	// StateLocation is the shared state location (s3://bucket/prefix in
	// the Security account), "" for local state only; --state-location
	// and $BYOK_STATE_LOCATION override it.
	StateLocation string
	// Exceptions are accepted deviations (exceptions.go), in file order.
	Exceptions []Exception
	// Watch is where the rotation's watch step reads failed KMS calls
	// (watchsection.go); DefaultWatch when the file has no watch: section.
	Watch Watch
}

// Policy is the rotation policy applied to every estate key.
type Policy struct {
	MaxMaterialAge time.Duration
	ExpiryWarning  time.Duration
	Wrapping       Wrapping
	Strategy       Strategy
}

// Wrapping names the KMS wrapping algorithm and wrapping key spec, exactly as
// KMS spells them (e.g. RSAES_OAEP_SHA_256 / RSA_4096).
type Wrapping struct {
	Algorithm string
	KeySpec   string
}

// Roles are the IAM roles byok assumes. Verify may contain "{account}".
type Roles struct {
	Operator string
	Verify   string
}

// Environment is one consumer account.
type Environment struct {
	Name              string
	Account           string
	MaintenanceWindow *Window // nil when none is set
}

// Window is a weekly maintenance window in UTC.
type Window struct {
	Day      time.Weekday
	Start    time.Duration // offset from midnight UTC
	Duration time.Duration
}

// MultiRegionKey marks the (env, service) key as multi-Region with replicas.
type MultiRegionKey struct {
	Env      string
	Service  Service
	Replicas []string
}

// Key is one (environment, service) key of the estate, derived from the file.
type Key struct {
	Env      string
	Service  Service
	Alias    string // e.g. alias/prod/s3
	Account  string // the Security account (owner)
	Region   string // primary region
	Consumer string // the consumer account of Env
	Replicas []string
	// Secondary: the key is in a Region other than the estate's primary
	// one (another key of the same alias is in the primary Region).
	Secondary bool
}

// AliasARN returns the alias ARN in the Security account for the key's region.
func (k Key) AliasARN() string {
	return "arn:aws:kms:" + k.Region + ":" + k.Account + ":" + k.Alias
}
