package demo

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/sandbox/seed"
)

// Options configure a demo run.
type Options struct {
	// Dir holds the demo's state store and token configuration (default
	// .byok/demo). Files the demo made on an earlier run are replaced.
	Dir string
	// ReportDir receives demo-report.json and demo-report.html (default ".").
	ReportDir string
	// Out receives the story; nil discards it.
	Out io.Writer
	// Color enables ANSI colour in Out (the CLI decides: TTY, NO_COLOR, --no-color).
	Color bool
	// Keep leaves the sandbox and token up after the story (Result.Close
	// ends them) and writes the token PIN to a 0600 file for other processes.
	Keep bool
	// Module is the SoftHSM2 PKCS#11 module (default DefaultModule).
	Module string
	// Resources seeds the RDS, DynamoDB and S3 resources of the estate once
	// its keys exist (default sandboxrun.DemoResources, the one demo seed `byok sandbox --seed demo` uses too).
	Resources func(ctx context.Context, sb seed.Target, est *estate.Estate) error
	// NewKeyAliases are the keys the new-key phase rotates, as one run, all
	// of one environment (default alias/prod/rds and alias/prod/s3).
	NewKeyAliases []string
	// WatchWindow is how long each rotation's watch step waits before
	// reading CloudTrail (default 0: read at once).
	WatchWindow time.Duration
	// Logger receives component logs; nil discards them.
	Logger *slog.Logger
	// Version is byok's version, for the report.
	Version string
}

// DefaultDir is where the demo keeps its files.
var DefaultDir = filepath.Join(".byok", "demo")

var defaultNewKeyAliases = []string{"alias/prod/rds", "alias/prod/s3"}

func (o Options) withDefaults() Options {
	if o.Dir == "" {
		o.Dir = DefaultDir
	}
	if o.ReportDir == "" {
		o.ReportDir = "."
	}
	if o.Module == "" {
		o.Module = DefaultModule
	}
	if len(o.NewKeyAliases) == 0 {
		o.NewKeyAliases = defaultNewKeyAliases
	}
	if o.Resources == nil {
		o.Resources = sandboxrun.DemoResources
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
