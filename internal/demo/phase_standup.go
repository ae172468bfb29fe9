package demo

import (
	"context"
	"fmt"
	"strings"
)

// standUp starts the sandbox, seeds it, connects as the operator and
// creates the HSM token and the engine. The token comes first: a missing
// SoftHSM2 is the likeliest failure and needs no sandbox to report.
func (s *story) standUp(ctx context.Context) error {
	w := s.w
	if err := w.openHSM(ctx); err != nil {
		return err
	}
	if err := w.startSandbox(ctx); err != nil {
		return err
	}
	if err := w.connect(ctx); err != nil {
		return err
	}
	if err := w.openEngine(ctx); err != nil {
		return err
	}
	if err := s.seedArchive(ctx); err != nil {
		return err
	}
	s.rep.Endpoint = w.sb.URL()
	for _, a := range w.sb.Accounts() {
		s.rep.Accounts = append(s.rep.Accounts, Account{ID: a.ID, Name: a.Name})
	}
	s.out.line("sandbox     %s (in-process; KMS, STS, CloudTrail, RDS, DynamoDB, S3)", w.sb.URL())
	for _, a := range s.rep.Accounts {
		s.out.line("account     %-8s %s", a.Name, a.ID)
	}
	s.out.line("keys        %d EXTERNAL keys with aliases: %s", len(w.seeded.Keys), strings.Join(aliases(w), ", "))
	s.out.line("operator    %s", w.operator)
	s.out.line("HSM         SoftHSM2 token %q (%s); PIN random, in this process only", tokenLabel, w.token.tokensDir)
	s.out.line("state       %s", w.store.Path())
	return nil
}

func aliases(w *world) []string {
	var out []string
	for _, k := range w.seeded.Keys {
		out = append(out, k.Alias)
	}
	return out
}

// accountName is the estate name of an account ID (security, dev, prod).
func (s *story) accountName(id string) string {
	for _, a := range s.rep.Accounts {
		if a.ID == id {
			return a.Name
		}
	}
	return id
}

func (s *story) accountNames() map[string]string {
	m := map[string]string{}
	for _, a := range s.rep.Accounts {
		m[a.ID] = a.Name
	}
	return m
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
