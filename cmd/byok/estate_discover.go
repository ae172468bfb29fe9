package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/discover"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/regions"
)

func init() {
	register(&command{
		Name:     "estate discover",
		Findings: "keys, principals or accounts it could not classify (listed with the line to edit)",
		Summary:  "draft byok.yaml from the Security account's EXTERNAL keys, aliases and key policies",
		Main:     estateDiscover,
	})
}

// discoverFlags are estate discover's flags, checked.
type discoverFlags struct {
	regions []string
	pattern discover.Pattern
	org     bool
	out     string
	force   bool
	format  *outputFormat
}

func parseDiscoverFlags(args []string, stderr io.Writer) (discoverFlags, error) {
	fs := newFlagSet("estate discover", "--out FILE [--regions R,…] [--alias-pattern P] [--org] [--force] [--format table|json]",
		"Read the Security account (the caller's credentials) in each Region: ListAliases, ListKeys,\n"+
			"DescribeKey, GetKeyPolicy. Keep the EXTERNAL keys whose alias matches the pattern, take\n"+
			"environment and service from the alias and the consumer accounts from the key policies,\n"+
			"and write a commented draft that byok estate validate accepts. With --org, name the\n"+
			"accounts from AWS Organizations (management or delegated administrator account).\n"+
			"Prints what it could not classify with the line to edit (exit 2).")
	addAWSFlags(fs)
	regionList := fs.String("regions", "", "Regions to read, comma-separated (default: the configured Region)")
	pattern := fs.String("alias-pattern", "alias/{env}/{service}", "alias pattern naming environment and service")
	var f discoverFlags
	fs.BoolVar(&f.org, "org", false, "name accounts from AWS Organizations (ListAccounts)")
	fs.StringVar(&f.out, "out", "", "file to write (required), e.g. byok.yaml")
	fs.BoolVar(&f.force, "force", false, "overwrite --out when it exists")
	f.format = addFormatFlag(fs, "json")
	fs.SetOutput(stderr)
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if err := noArgs(fs); err != nil {
		return f, err
	}
	if err := f.format.check("estate discover"); err != nil {
		return f, err
	}
	if f.out == "" {
		return f, usageError("estate discover", "--out FILE is required, e.g. --out byok.yaml")
	}
	var err error
	if f.pattern, err = discover.ParsePattern(*pattern); err != nil {
		return f, usageError("estate discover", "--alias-pattern: %v", err)
	}
	if f.regions, err = splitList("--regions", *regionList, regionRE, "a region name, e.g. eu-west-1"); err != nil {
		return f, usageError("estate discover", "%v", err)
	}
	for _, r := range f.regions {
		if err := regions.Check(r); err != nil {
			return f, usageError("estate discover", "--regions: %v", err)
		}
	}
	return f, nil
}

func estateDiscover(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseDiscoverFlags(args, stderr)
	if err != nil {
		return err
	}
	if !f.force {
		if _, err := os.Stat(f.out); err == nil {
			return fmt.Errorf("%s exists; choose another --out or pass --force to overwrite it", f.out)
		}
	}
	region := ""
	if len(f.regions) > 0 {
		region = f.regions[0]
	}
	base, err := awsx.Load(ctx, region)
	if err != nil {
		return err
	}
	if len(f.regions) == 0 {
		if base.Region == "" {
			return usageError("estate discover", "no Region configured: pass --regions, e.g. --regions eu-west-1")
		}
		f.regions = []string{base.Region}
	}
	d, err := runDiscover(ctx, base, f, stderr)
	if err != nil {
		return err
	}
	return writeDiscovered(stdout, f, d)
}

// runDiscover reads the Security account (the caller's) and assembles the
// draft.
func runDiscover(ctx context.Context, base aws.Config, f discoverFlags, stderr io.Writer) (*discover.Draft, error) {
	id, err := sts.NewFromConfig(base).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("estate discover: who is the caller: %w", awsx.Explain(err))
	}
	o := discover.Options{Security: aws.ToString(id.Account), Regions: f.regions, Pattern: f.pattern, Pace: pace.New(nil)}
	orgNote := ""
	if f.org {
		cfg := awsx.WithRegion(base, "us-east-1") // Organizations' endpoint is us-east-1
		o.Org, err = discover.OrgNames(ctx, organizations.NewFromConfig(cfg))
		if errors.Is(err, discover.ErrOrgUnavailable) {
			orgNote = err.Error()
			fmt.Fprintf(stderr, "byok estate discover: %v; continuing without account names and without the outside-the-organisation check\n", err)
			o.Org, err = nil, nil
		}
		if err != nil {
			return nil, err
		}
	}
	client := func(r string) discover.KMS { return kms.NewFromConfig(awsx.WithRegion(base, r)) }
	found, issues, err := discover.Read(ctx, client, o)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("estate discover: no EXTERNAL key in %s has an alias matching %s (%d other finding(s)); check --alias-pattern and --regions",
			strings.Join(f.regions, ", "), f.pattern, len(issues))
	}
	d := discover.Assemble(o, found, issues)
	d.OrgNote = orgNote
	return d, nil
}

// writeDiscovered renders the draft, checks that it parses as an estate,
// writes it and reports what was not classified.
func writeDiscovered(stdout io.Writer, f discoverFlags, d *discover.Draft) error {
	text, located := d.Render(time.Now())
	est, perr := estate.Parse(f.out, text)
	if perr != nil {
		return fmt.Errorf("estate discover: the draft does not validate (%v); nothing written — %d finding(s): %s",
			perr, len(located), firstIssues(located))
	}
	if err := writeFileAtomic(f.out, text); err != nil {
		return err
	}
	if err := printDiscovered(stdout, f, est, located); err != nil {
		return err
	}
	if len(located) > 0 {
		return &exitError{Code: exitFindings, Err: fmt.Errorf("%d thing(s) not classified; edit the lines named above in %s", len(located), f.out)}
	}
	return nil
}

func firstIssues(ls []discover.Located) string {
	var out []string
	for i, l := range ls {
		if i == 3 {
			out = append(out, "…")
			break
		}
		out = append(out, l.Subject+": "+l.What)
	}
	return strings.Join(out, "; ")
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".byok-discover-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
