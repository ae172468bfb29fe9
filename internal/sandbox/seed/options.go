package seed

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/sandbox/identity"
)

// maxValidity is how far ahead of its import ValidTo may lie (KMS rule).
const maxValidity = 365 * 24 * time.Hour

const day = 24 * time.Hour

// ErrBadMaterial is returned for a Material that KMS could not have
// accepted (negative durations, or ValidTo more than 365 days after import).
var ErrBadMaterial = errors.New("invalid seed material history")

// Target is the running sandbox the seed works on; *sandboxrun.Sandbox
// implements it.
type Target interface {
	AddAccount(id, name string) error
	AddRole(r identity.Role) error
	Config(ctx context.Context, account string) aws.Config
	AdvanceClock(d time.Duration)
	MarkSeeded(source string) error
}

// Material describes a key's initial imported material.
type Material struct {
	// Age is how long before the seed the material was imported (the seed
	// moves the sandbox clock back by Age for the import).
	Age time.Duration
	// ExpiresIn, when positive, makes the material expire that long after
	// the seed (ExpirationModel KEY_MATERIAL_EXPIRES); Age+ExpiresIn must be
	// at most 365 days, as KMS allows ValidTo at most 365 days after import.
	ExpiresIn time.Duration
	// None leaves the key without material (state PendingImport), so that
	// byok imports its first material from byok's own HSM; Age still
	// backdates the key's creation. Single-Region keys only (a replica
	// takes its material from the primary's import).
	None bool
}

// Options tune a seed.
type Options struct {
	// Source names the estate in the seed mark ("demo" or a file path).
	Source string
	// Material by alias name (e.g. "alias/prod/s3"); keys not listed get
	// DefaultMaterial.
	Material        map[string]Material
	DefaultMaterial Material
	// Resources, when set, seeds RDS, DynamoDB and S3 resources after the
	// keys exist (the resources' own seeding code).
	Resources func(ctx context.Context, sb Target, est *estate.Estate) error
}

func (o Options) material(alias string) (Material, error) {
	m, ok := o.Material[alias]
	if !ok {
		m = o.DefaultMaterial
	}
	if m.None && m.ExpiresIn > 0 {
		return m, fmt.Errorf("%w: %s: a key seeded without material has no expiry to set", ErrBadMaterial, alias)
	}
	if m.Age < 0 || m.ExpiresIn < 0 || (m.ExpiresIn > 0 && m.Age+m.ExpiresIn > maxValidity) {
		return m, fmt.Errorf("%w: %s: age %v and expiry in %v must be non-negative, and an expiring material at most 365 days from import to ValidTo (KMS limit)",
			ErrBadMaterial, alias, m.Age, m.ExpiresIn)
	}
	return m, nil
}

//go:embed demo.yaml
var demoYAML []byte

// DemoEstate is the seed's architecture (a copy of examples/estate.yaml):
// Security 111111111111, dev 222222222222, prod 333333333333, services
// s3/rds/dynamodb in eu-west-1, prod/dynamodb multi-Region to eu-central-1.
func DemoEstate() (*estate.Estate, error) {
	est, err := estate.Parse("demo.yaml", demoYAML)
	if err != nil {
		return nil, fmt.Errorf("demo estate: %w", err)
	}
	return est, nil
}

// Demo is the demo's key history: three keys with material over a year old
// (overdue under the 365-day policy), one whose material expires in 10
// days, and the rest imported a month ago.
func Demo() Options {
	return Options{
		Source: "demo",
		Material: map[string]Material{
			"alias/prod/s3":       {Age: 400 * day},
			"alias/prod/rds":      {Age: 420 * day},
			"alias/dev/rds":       {Age: 400 * day},
			"alias/dev/dynamodb":  {Age: 200 * day, ExpiresIn: 10 * day},
			"alias/prod/dynamodb": {Age: 90 * day},
		},
		DefaultMaterial: Material{Age: 30 * day},
	}
}
