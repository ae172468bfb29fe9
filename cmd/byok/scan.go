package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"

	"github.com/byok-dev/byok/internal/app"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/regions"
	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/scan"
)

func init() {
	register(&command{
		Name: "scan", Findings: "non-compliant resources (with --fail-on non-compliant, the default)",
		Summary: "report which RDS, DynamoDB and S3 resources break the rotation policy",
		Main:    scanCmd,
	})
}

// Exit codes of byok scan (documented in its --help).
const (
	scanExitNonCompliant = exitFindings
	scanExitIncomplete   = exitFailed
)

const scanDoc = `Inventory RDS instances and clusters, DynamoDB tables and S3 buckets in every
estate account × region (AssumeRole per account), read the facts of every key
they use in the account that owns it (once per key), and judge each resource:
COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE or INSUFFICIENT_DATA, with a reason.

The report goes to stdout (or --out); machine formats get a summary by verdict,
reason and account on stderr. A progress bar is drawn on stderr when it is a
terminal. Results are written as each account × Region is read, in report
order (JSON: "results" first, then "scan" and "summary"; the table, aligned
over all rows, at the end); memory does not grow with the estate. --out FILE
is replaced only when the scan completes.

Exit status:
  0  the scan completed and nothing is NON_COMPLIANT (or --fail-on none)
  2  something is NON_COMPLIANT (with --fail-on non-compliant, the default);
     this wins over 1: a finding is a finding even when part of the scan failed
  1  the scan is incomplete (an account/region/service could not be listed —
     the results that could be read are still printed and the errors listed),
     or the scan could not run at all, or it found no key or no resource where
     the estate expects some (an estate alias missing in a Region, or a consumer
     account with no resource in a Region it has keys for; each is listed);
     INSUFFICIENT_DATA alone is not an error
  64 bad flags

--save stores the findings in the state store for byok findings diff; an
incomplete scan is not saved (a diff against it would report unread resources
as gone), which is exit status 1.

EXEMPTED resources (a live entry of the estate's exceptions: section) are
counted apart, never as COMPLIANT, and do not make the exit status 2; the day
after an exception's expiry date (UTC) they are NON_COMPLIANT again.

--to-security-hub imports the NON_COMPLIANT findings into AWS Security Hub
(BatchImportFindings from each resource's account, in its Region, through the
same roles as the scan; 100 per call) and archives the findings byok imported
earlier for resources now COMPLIANT, EXEMPTED, NOT_APPLICABLE or gone.
A finding Security Hub refuses is listed on stderr and makes the exit status 1,
even when something is NON_COMPLIANT: the findings did not all arrive.`

// scanFlags are byok scan's parsed flags.
type scanFlags struct {
	estateFile, format, out, state, failOn string
	accounts, regions                      []string
	save, toSecurityHub                    bool
	fmt                                    report.Format
}

var (
	accountIDRE = regexp.MustCompile(`^\d{12}$`)
	regionRE    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
)

func parseScanFlags(args []string, stderr io.Writer) (scanFlags, error) {
	fs := newFlagSet("scan", "[--estate FILE] [--format table|json|csv|asff|ocsf] [--out FILE] [--accounts A,B] [--regions R1,R2] [--fail-on non-compliant|none] [--save] [--state FILE] [--to-security-hub]", scanDoc)
	fs.SetOutput(stderr)
	var f scanFlags
	var accounts, regions string
	fs.StringVar(&f.estateFile, "estate", "", "estate file (default $"+estate.EnvVar+", ./"+estate.DefaultFile+", else the embedded example)")
	fs.StringVar(&f.format, "format", "table", "output format: "+strings.Join(report.FormatNames(), ", ")+
		"\n(json: one document; asff: a JSON array for Security Hub; ocsf: JSON Lines, one OCSF finding per line)")
	fs.StringVar(&f.out, "out", "", "write the report to FILE instead of stdout")
	fs.StringVar(&accounts, "accounts", "", "comma-separated account IDs to scan (default: every estate account)")
	fs.StringVar(&regions, "regions", "", "comma-separated regions to scan (default: the estate's regions)")
	fs.StringVar(&f.failOn, "fail-on", "non-compliant", "exit 2 when something is non-compliant (non-compliant), or never (none)")
	fs.BoolVar(&f.save, "save", false, "save the findings in the state store (for byok findings diff)")
	fs.BoolVar(&f.toSecurityHub, "to-security-hub", false, "import NON_COMPLIANT findings into AWS Security Hub and archive resolved ones")
	fs.StringVar(&f.state, "state", "", "state store (default $BYOK_STATE or ./.byok/state.db)")
	addAWSFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if err := f.validate(fs.Args(), accounts, regions); err != nil {
		return f, &exitError{Code: exitUsage, Err: err}
	}
	return f, nil
}

func (f *scanFlags) validate(rest []string, accounts, regionList string) error {
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q; byok scan takes only flags (see byok scan --help)", rest[0])
	}
	var err error
	if f.fmt, err = report.ParseFormat(f.format); err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	if f.failOn != "non-compliant" && f.failOn != "none" {
		return fmt.Errorf("--fail-on %q: use non-compliant or none", f.failOn)
	}
	if f.accounts, err = splitList("--accounts", accounts, accountIDRE, "a 12-digit account ID, e.g. 222222222222"); err != nil {
		return err
	}
	if f.regions, err = splitList("--regions", regionList, regionRE, "a region name, e.g. eu-west-1"); err != nil {
		return err
	}
	for _, r := range f.regions {
		if err := regions.Check(r); err != nil {
			return fmt.Errorf("--regions: %w", err)
		}
	}
	return nil
}

// splitList splits a comma-separated flag value, dropping duplicates and
// checking each item against re.
func splitList(flagName, v string, re *regexp.Regexp, want string) ([]string, error) {
	if v == "" {
		return nil, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if !re.MatchString(item) {
			return nil, fmt.Errorf("%s: %q is not %s", flagName, item, want)
		}
		if !seen[item] {
			seen[item] = true
			out = append(out, item)
		}
	}
	return out, nil
}

func scanCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseScanFlags(args, stderr)
	if err != nil {
		return err
	}
	est, source, err := loadEstateForAWS(f.estateFile, stderr)
	if err != nil {
		return err
	}
	saveTo, err := openScanStore(ctx, f)
	if err != nil {
		return err
	}
	defer saveTo.Close()
	env, err := newAWSEnv(ctx, est)
	if err != nil {
		return err
	}
	defer env.Close()
	if _, err := env.LoadQuotas(ctx, est.SecurityAccount, app.QuotaRegions(est), slog.New(slog.NewTextHandler(stderr, nil))); err != nil {
		return err
	}
	bar := newProgress(stderr, len(scan.Targets(orAll(f.accounts, est.Accounts()), orAll(f.regions, est.Regions)))*3)
	out, err := streamScan(ctx, f, est, env, source, stdout, bar)
	bar.done()
	if err != nil {
		return err
	}
	defer out.spill.Close()
	if f.fmt != report.FormatTable || f.out != "" {
		writeScanSummary(stderr, out.Summary, out.Meta.Errors)
	}
	if f.save {
		if err := saveScan(ctx, saveTo, out, stderr); err != nil {
			return err
		}
	}
	if f.toSecurityHub {
		if err := sendToSecurityHub(ctx, env, out, stderr); err != nil {
			return err
		}
	}
	for _, g := range out.Gaps {
		fmt.Fprintf(stderr, "byok scan: expected but not found: %v\n", g)
	}
	if err := scanExit(f, out.Summary, out.Meta); err != nil {
		return err
	}
	if len(out.Gaps) > 0 {
		return &exitError{Code: scanExitIncomplete, Err: fmt.Errorf("%d place(s) where the estate expects keys or resources and the scan found none (listed above): %w", len(out.Gaps), scan.ErrExpectedMissing)}
	}
	return nil
}

func orAll(chosen, all []string) []string {
	if len(chosen) > 0 {
		return chosen
	}
	return all
}

// scanExit maps the scan's counts to the exit status documented in scanDoc.
func scanExit(f scanFlags, sum report.Summary, m report.Meta) error {
	nc := sum.NonCompliantCount()
	if nc > 0 && f.failOn == "non-compliant" {
		return &exitError{Code: scanExitNonCompliant, Err: fmt.Errorf("%d of %d resources are NON_COMPLIANT", nc, sum.Total)}
	}
	if n := len(m.Errors); n > 0 {
		return &exitError{Code: scanExitIncomplete, Err: fmt.Errorf("scan incomplete: %d account/region/service listings failed (listed above)", n)}
	}
	return nil
}
