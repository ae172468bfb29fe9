package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/byok-dev/byok/internal/app"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/migrate"
	"github.com/byok-dev/byok/internal/scan"
)

func init() {
	register(&command{
		Name:    "migrate plan",
		Summary: "plan moving resources that are not on their estate key onto it (read-only)",
		Main:    migratePlanCmd,
	})
}

const migratePlanDoc = `Scan the estate and plan, for every resource that is not on its estate key
(KEY_SUPERSEDED, AWS_MANAGED_KEY, KEY_OUTSIDE_ESTATE, WRONG_ESTATE_KEY,
NOT_KMS_ENCRYPTED, UNENCRYPTED), how byok would move it onto that key: the target
key by ARN (never an alias, which would resolve in the writer's account), the
method and its steps, the downtime class (S3: NONE; DynamoDB: ONLINE; RDS and
Aurora: WRITES_STOPPED from the final snapshot to the endpoint switch), an
estimate (S3 objects and bytes to copy, streamed from ListObjectsV2), the
pre-flight results and what it cannot do, with the reason.

Pre-flight, per resource: the member account's migration role can be assumed
(--migration-role; deploy/member-account.yaml with EnableMigrationRole=true);
the target key's policy lets that account use it (DescribeKey and
GenerateDataKeyWithoutPlaintext, encryption context byok:purpose=migration-preflight,
nothing kept); the resource is in a state the method allows (RDS available
without read replicas, DynamoDB ACTIVE); DynamoDB's daily limit on key
switches (earlier switches read from CloudTrail). Nothing is changed.

Exit status:
  0  the plan was made (items that fail pre-flight or cannot be migrated are in it)
  1  the plan could not be made, or part of the estate could not be scanned
     (the plan of what could be read is still printed)
  64 bad flags`

// migratePlanFlags are byok migrate plan's parsed flags.
type migratePlanFlags struct {
	estateFile, env, key, resource, to, role string
	format                                   *outputFormat
}

// defaultMigrationRole is the role deploy/member-account.yaml creates.
const defaultMigrationRole = app.DefaultMigrationRole

func parseMigratePlanFlags(args []string, stderr io.Writer) (migratePlanFlags, error) {
	fs := newFlagSet("migrate plan", "[--env E] [--key K] [--resource ARN] [--to KEY-ARN] [--format table|json] [--migration-role ARN] [--estate FILE]", migratePlanDoc)
	fs.SetOutput(stderr)
	var f migratePlanFlags
	fs.StringVar(&f.estateFile, "estate", "", "estate file (default $"+estate.EnvVar+", ./"+estate.DefaultFile+", else the embedded example)")
	fs.StringVar(&f.env, "env", "", "plan only the resources of this environment's account")
	fs.StringVar(&f.key, "key", "", "plan only resources on this key: key ARN, key ID, or an estate alias that targets or targeted it")
	fs.StringVar(&f.resource, "resource", "", "plan only this resource (its ARN)")
	fs.StringVar(&f.to, "to", "", "target key ARN for every selected resource (default: each resource's estate key)")
	fs.StringVar(&f.role, "migration-role", defaultMigrationRole, "the migration role in each member account ({account} is replaced)")
	f.format = addFormatFlag(fs, "json")
	addAWSFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if err := noArgs(fs); err != nil {
		return f, err
	}
	if err := f.format.check("migrate plan"); err != nil {
		return f, err
	}
	if f.to != "" {
		if err := migrate.CheckTargetARN(f.to); err != nil {
			return f, usageError("migrate plan", "--to: %v", err)
		}
	}
	if !strings.HasPrefix(f.role, "arn:aws") || !strings.Contains(f.role, ":role/") {
		return f, usageError("migrate plan", "--migration-role %q is not a role ARN (e.g. %s)", f.role, defaultMigrationRole)
	}
	return f, nil
}

func migratePlanCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseMigratePlanFlags(args, stderr)
	if err != nil {
		return err
	}
	est, source, err := loadEstateForAWS(f.estateFile, stderr)
	if err != nil {
		return err
	}
	aws, err := newAWSEnv(ctx, est)
	if err != nil {
		return err
	}
	defer aws.Close()
	plan, err := makeMigrationPlan(ctx, est, source, aws, migrationSelection{env: f.env, key: f.key, resource: f.resource, to: f.to, role: f.role}, stderr)
	if err != nil {
		return err
	}
	if err := writeMigratePlan(stdout, f, plan); err != nil {
		return err
	}
	if len(plan.Errors) > 0 {
		return &exitError{Code: exitFailed, Err: fmt.Errorf("%d listing(s) failed; resources there are not planned", len(plan.Errors))}
	}
	return nil
}

func envNames(est *estate.Estate) string {
	names := make([]string, 0, len(est.Environments))
	for _, e := range est.Environments {
		names = append(names, e.Name)
	}
	return strings.Join(names, ", ")
}

// migrationSelection is what migrate plan and migrate apply select.
type migrationSelection struct{ env, key, resource, to, role string }

// makeMigrationPlan resolves --env and plans the selection with a
// progress bar (app.PlanMigration: the one path of migrate plan, migrate
// apply and the demo).
func makeMigrationPlan(ctx context.Context, est *estate.Estate, source string, aws *awsEnv, s migrationSelection, stderr io.Writer) (migrate.Plan, error) {
	o := app.PlanOptions{Selection: migrate.Selection{Key: s.key, Resource: s.resource}, To: s.to, RoleTemplate: s.role, Source: source}
	if s.env != "" {
		env, ok := est.Environment(s.env)
		if !ok {
			return migrate.Plan{}, usageError("migrate", "--env %q: %v (the estate has %s)", s.env, migrate.ErrNoEnv, envNames(est))
		}
		o.Selection.Account, o.Accounts = env.Account, []string{env.Account}
	}
	bar := newProgress(stderr, len(scan.Targets(orAll(o.Accounts, est.Accounts()), est.Regions))*3)
	o.Progress = bar.step
	plan, err := app.PlanMigration(ctx, est, aws, o)
	bar.done()
	return plan, err
}
