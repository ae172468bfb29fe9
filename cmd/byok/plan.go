package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{Name: "plan", Findings: "with --exit-code: keys due for rotation or re-import", Summary: "what a rotation would do per key: age, pending and expiring material, due, steps, impact",
		Main: planCmd})
}

// keySelection is --env/--service/--key filtering of estate keys.
type keySelection struct{ env, service, key *string }

func (s keySelection) pick(e *estate.Estate) ([]estate.Key, error) {
	var out []estate.Key
	for _, k := range e.Keys() {
		if *s.env != "" && k.Env != *s.env || *s.service != "" && string(k.Service) != *s.service {
			continue
		}
		if *s.key != "" && *s.key != k.Alias && *s.key != k.AliasARN() && !strings.HasSuffix(*s.key, k.Alias) {
			continue
		}
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no estate key matches the selection (see byok estate show); a key outside the estate is refused")
	}
	return out, nil
}

func planCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("plan", "[--env E] [--service S] [--key ALIAS] [--due] [--format table|json] [--exit-code] [--out FILE]",
		"Read each estate key in the Security account (DescribeKey, ListKeyRotations ALL_KEY_MATERIAL)\n"+
			"and show the age of its current material, pending material, the earliest ValidTo of any\n"+
			"material, on-demand rotations used of 25, whether it is due, the steps and the impact.")
	f := addRotationFlags(fs)
	sel := keySelection{fs.String("env", "", "environment"), fs.String("service", "", "s3, rds or dynamodb"), fs.String("key", "", "alias (e.g. alias/prod/rds)")}
	strategy := fs.String("strategy", "", "in-place or new-key (default: the estate policy)")
	format := addFormatFlag(fs, "json")
	exitCode := fs.Bool("exit-code", false, "exit 2 when a key is due for rotation or re-import")
	due := fs.Bool("due", false, "with --out: the request of byok rotate --due (only due keys and expiring material)")
	out := fs.String("out", "", "also save the decided request to FILE for byok rotate --plan FILE")
	fs.SetOutput(stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := format.check("plan"); err != nil {
		return err
	}
	f.stateMode = store.ModeReadIfExists
	env, err := openRotation(ctx, f, false, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	keys, err := sel.pick(env.est)
	if err != nil {
		return err
	}
	plans, err := env.engine.PlanKeys(ctx, keys, pickStrategy(*strategy, env.est))
	if err == nil {
		err = env.engine.MarkLocked(ctx, plans)
	}
	if werr := writePlans(stdout, plans, format.is("json"), planQuotas{env.engine.Limits, env.quotas, env.est.SecurityAccount, planWatch(ctx, env.engine, plans)}); err == nil {
		err = werr
	}
	if err == nil && *out != "" {
		sel := rotation.Selector{Due: *due, Env: *sel.env, Service: *sel.service, Key: *sel.key}
		err = savePlan(ctx, env, *out, rotation.Request{Keys: keys, Strategy: pickStrategy(*strategy, env.est), Plans: plans, Selector: sel})
	}
	if n := plansToAct(plans); err == nil && *exitCode && n > 0 {
		return &exitError{Code: exitFindings, Err: fmt.Errorf("%d key(s) due for rotation or re-import", n)}
	}
	return err
}

func pickStrategy(flagValue string, e *estate.Estate) estate.Strategy {
	if flagValue != "" {
		return estate.Strategy(flagValue)
	}
	return e.Policy.Strategy
}

func printPlans(w io.Writer, plans []rotation.Plan) {
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ALIAS\tAGE\tPENDING\tEARLIEST VALIDTO\tROTATIONS\tDUE\tSTRATEGY\tSTATUS")
	now := time.Now()
	for _, p := range plans {
		pending := "-"
		if m, ok := p.Status.Pending(); ok {
			pending = m.ID[:min(12, len(m.ID))] + " (" + m.Description + ")"
		}
		valid := "never"
		if v := p.Status.EarliestValidTo(); v != nil {
			valid = v.UTC().Format("2006-01-02")
		}
		status := "ok"
		if p.Refused != nil {
			status = "REFUSED: " + p.Refused.Err.Error()
		}
		fmt.Fprintf(tw, "%s\t%dd\t%s\t%s\t%d/25\t%s\t%s\t%s\n", p.Key.Alias, int(now.Sub(p.Status.CurrentSince).Hours()/24),
			pending, valid, p.Status.OnDemandRotations, dueLabel(p), p.Strategy, status)
	}
	_ = tw.Flush()
	for _, p := range plans {
		if !p.Due {
			continue
		}
		fmt.Fprintf(w, "\n%s: due: %s\n  steps: %s\n  impact: %s\n", p.Key.Alias, strings.Join(p.Why, "; "), stepNames(p), p.Impact)
	}
	printExpiring(w, plans)
	printPendingImport(w, plans)
}

// printPendingImport lists the materials KMS shows as PENDING_IMPORT (the
// imported copy expired or was deleted) with how to bring each back.
func printPendingImport(w io.Writer, plans []rotation.Plan) {
	for _, p := range plans {
		if st := p.Status; st.ARN != "" && len(st.Materials) == 0 && st.CurrentID == "" && st.State == types.KeyStatePendingImport {
			fmt.Fprintf(w, "\n%s: the key has no key material yet\n  import its first material: byok import --key %s\n", p.Key.Alias, p.Key.Alias)
		}
		for _, m := range p.Status.PendingImport() {
			fmt.Fprintf(w, "\n%s: material %s (%s) is PENDING_IMPORT: its imported copy expired or was deleted; the key cannot use it\n",
				p.Key.Alias, m.ID, m.State)
			if _, err := store.ParseRunID(m.Description); err == nil {
				fmt.Fprintf(w, "  re-import it: byok import --key %s --reimport --material-id %s\n", p.Key.Alias, m.ID)
				continue
			}
			fmt.Fprintf(w, "  OPERATOR ACTION: byok did not import it (description %q): re-import it from the HSM that holds it (ImportKeyMaterial EXISTING_KEY_MATERIAL, KeyMaterialId %s)\n",
				m.Description, m.ID)
		}
	}
}

// dueLabel says what a key needs: a rotation, a re-import, both or nothing.
func dueLabel(p rotation.Plan) string {
	var what []string
	if p.Due {
		what = append(what, "rotate")
	}
	if len(p.Expiring) > 0 {
		what = append(what, "re-import")
	}
	if len(what) == 0 {
		return "-"
	}
	return strings.Join(what, "+")
}

// printExpiring lists the materials that expire within the warning window
// with their remedy: a re-import without expiry, never a rotation.
func printExpiring(w io.Writer, plans []rotation.Plan) {
	for _, p := range plans {
		for _, m := range p.Expiring {
			fmt.Fprintf(w, "\n%s: material %s (%s) expires %s; when any material expires the whole key stops working, and a rotation does not change that\n",
				p.Key.Alias, m.ID, m.State, m.ValidTo.UTC().Format(time.RFC3339))
			if m.Reimportable() {
				fmt.Fprintf(w, "  re-import it without expiry (byok rotate --due does): %s\n", m.Command(p.Key.Alias))
				continue
			}
			fmt.Fprintf(w, "  OPERATOR ACTION: %s\n", m.Hint(p.Key.Alias))
		}
	}
}

func stepNames(p rotation.Plan) string {
	names := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		names[i] = s.String()
	}
	return strings.Join(names, " → ")
}

// savePlan decides req as byok rotate would and writes it to path (the
// document byok rotate --plan executes).
func savePlan(ctx context.Context, env *rotationEnv, path string, req rotation.Request) error {
	p, err := env.engine.Prepare(ctx, req)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(p.Save(env.est, time.Now()), "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return nil
}
