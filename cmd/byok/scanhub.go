package main

import (
	"context"
	"fmt"
	"io"

	"github.com/byok-dev/byok/internal/app"
	"github.com/byok-dev/byok/internal/hubsync"
	"github.com/byok-dev/byok/internal/report"
)

// sendToSecurityHub runs scan --to-security-hub: it prints what Security
// Hub accepted and every finding it refused, and fails (exit 1) when any
// was refused or a call failed.
func sendToSecurityHub(ctx context.Context, env *app.Clients, rep report.Report, stderr io.Writer) error {
	clients := func(account, region string) hubsync.API { return env.SecurityHub(account, region) }
	res, err := hubsync.Sync(ctx, clients, rep)
	fmt.Fprintf(stderr, "security hub: %d finding(s) imported, %d archived, %d refused\n", res.Imported, res.Archived, len(res.Failed))
	for _, f := range res.Failed {
		fmt.Fprintf(stderr, "security hub: refused %s (%s %s): %s: %s\n", f.ID, f.Account, f.Region, f.Code, f.Message)
	}
	if err != nil {
		return &exitError{Code: exitFailed, Err: fmt.Errorf("send findings to security hub (what was sent is counted above): %w", err)}
	}
	if len(res.Failed) > 0 {
		return &exitError{Code: exitFailed, Err: fmt.Errorf("security hub refused %d finding(s) (listed above); fix the cause and scan again", len(res.Failed))}
	}
	return nil
}
