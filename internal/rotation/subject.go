package rotation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// Subject is the resource a resource procedure (a migration) runs on.
// Its ARN is the journal's subject and the lock (local and shared), in the
// places a key procedure uses the key ARN: run_keys.key_arn,
// journal.key_arn, key_locks.key_arn. The request records it as the
// request's alias (the ARN) and Region, the target key ARN as its
// new_key_id, the method as its strategy, and its location
// "ACCOUNT/REGION" as its hsm_label (a resource has no HSM object; an S3
// bucket ARN names neither account nor Region), which admission copies to
// the run key.
type Subject struct {
	ARN       string
	Partition string
	Service   string // rds, dynamodb, s3
	Account   string // "" for S3 bucket ARNs, which carry none
	Region    string
	// Kind is the ARN's resource type: db, cluster, table, bucket.
	Kind string
	// Name is the identifier: DB instance or cluster identifier, table
	// name, bucket name.
	Name string
	// TargetKey is the key ARN the resource moves to.
	TargetKey string
}

// ErrSubject: a resource ARN no resource procedure handles.
var ErrSubject = errors.New("not a resource ARN byok migrates (RDS db/cluster, DynamoDB table, S3 bucket)")

// ParseSubject reads a resource ARN (RDS arn:…:rds:R:A:db:ID or
// cluster:ID, DynamoDB arn:…:dynamodb:R:A:table/NAME, S3 arn:…:s3:::NAME)
// and the target key ARN it moves to.
func ParseSubject(arn, targetKey string) (Subject, error) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[5] == "" {
		return Subject{}, fmt.Errorf("%q: %w", arn, ErrSubject)
	}
	s := Subject{ARN: arn, Partition: p[1], Service: p[2], Region: p[3], Account: p[4], TargetKey: targetKey}
	switch s.Service {
	case "rds":
		kind, name, ok := strings.Cut(p[5], ":")
		if !ok || (kind != "db" && kind != "cluster") || name == "" {
			return Subject{}, fmt.Errorf("%q: %w", arn, ErrSubject)
		}
		s.Kind, s.Name = kind, name
	case "dynamodb":
		kind, name, ok := strings.Cut(p[5], "/")
		if !ok || kind != "table" || name == "" || strings.Contains(name, "/") {
			return Subject{}, fmt.Errorf("%q: %w", arn, ErrSubject)
		}
		s.Kind, s.Name = kind, name
	case "s3":
		if strings.ContainsAny(p[5], "/:") {
			return Subject{}, fmt.Errorf("%q: %w", arn, ErrSubject)
		}
		s.Kind, s.Name = "bucket", p[5]
	default:
		return Subject{}, fmt.Errorf("%q: %w", arn, ErrSubject)
	}
	return s, nil
}

// Location is "ACCOUNT/REGION", as the request and run key record it.
func (s Subject) Location() string { return s.Account + "/" + s.Region }

// SubjectAt is ParseSubject with the resource's location ("ACCOUNT/REGION",
// see Location) filling what the ARN does not name.
func SubjectAt(arn, location, targetKey string) (Subject, error) {
	s, err := ParseSubject(arn, targetKey)
	if err != nil {
		return s, err
	}
	acct, region, ok := strings.Cut(location, "/")
	if !ok && location != "" {
		return Subject{}, fmt.Errorf("%s: location %q is not ACCOUNT/REGION: %w", arn, location, ErrSubject)
	}
	if s.Account == "" {
		s.Account = acct
	}
	if s.Region == "" {
		s.Region = region
	}
	if s.Account == "" || s.Region == "" || (acct != "" && acct != s.Account) || (region != "" && region != s.Region) {
		return Subject{}, fmt.Errorf("%s: location %q does not match: %w", arn, location, ErrSubject)
	}
	return s, nil
}

// key is the estate.Key a resource job carries for the parts of the
// machine that name a subject (progress, Region slots): the resource ARN
// stands where a key's alias would.
func (s Subject) key() estate.Key {
	return estate.Key{Alias: s.ARN, Region: s.Region, Account: s.Account}
}

// Resources gives resource procedures the clients of a member account's
// migration role: the role that account deployed for byok
// (deploy/member-account.yaml, EnableMigrationRole=true), assumed from
// the operator role. The Security account's own role changes no resource.
// An error names the role ARN and the template.
type Resources interface {
	RDS(ctx context.Context, account, region string) (RDS, error)
	DynamoDB(ctx context.Context, account, region string) (DynamoDB, error)
}

// RDS is what the RDS and Aurora methods call; *rds.Client implements it.
type RDS interface {
	DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, opts ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
	DescribeDBClusters(ctx context.Context, in *rds.DescribeDBClustersInput, opts ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error)
	DescribeDBSnapshots(ctx context.Context, in *rds.DescribeDBSnapshotsInput, opts ...func(*rds.Options)) (*rds.DescribeDBSnapshotsOutput, error)
	DescribeDBClusterSnapshots(ctx context.Context, in *rds.DescribeDBClusterSnapshotsInput, opts ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotsOutput, error)
	CreateDBSnapshot(ctx context.Context, in *rds.CreateDBSnapshotInput, opts ...func(*rds.Options)) (*rds.CreateDBSnapshotOutput, error)
	CopyDBSnapshot(ctx context.Context, in *rds.CopyDBSnapshotInput, opts ...func(*rds.Options)) (*rds.CopyDBSnapshotOutput, error)
	RestoreDBInstanceFromDBSnapshot(ctx context.Context, in *rds.RestoreDBInstanceFromDBSnapshotInput, opts ...func(*rds.Options)) (*rds.RestoreDBInstanceFromDBSnapshotOutput, error)
	CreateDBClusterSnapshot(ctx context.Context, in *rds.CreateDBClusterSnapshotInput, opts ...func(*rds.Options)) (*rds.CreateDBClusterSnapshotOutput, error)
	CopyDBClusterSnapshot(ctx context.Context, in *rds.CopyDBClusterSnapshotInput, opts ...func(*rds.Options)) (*rds.CopyDBClusterSnapshotOutput, error)
	RestoreDBClusterFromSnapshot(ctx context.Context, in *rds.RestoreDBClusterFromSnapshotInput, opts ...func(*rds.Options)) (*rds.RestoreDBClusterFromSnapshotOutput, error)
	CreateDBInstance(ctx context.Context, in *rds.CreateDBInstanceInput, opts ...func(*rds.Options)) (*rds.CreateDBInstanceOutput, error)
	ModifyDBInstance(ctx context.Context, in *rds.ModifyDBInstanceInput, opts ...func(*rds.Options)) (*rds.ModifyDBInstanceOutput, error)
	ModifyDBCluster(ctx context.Context, in *rds.ModifyDBClusterInput, opts ...func(*rds.Options)) (*rds.ModifyDBClusterOutput, error)
	StopDBInstance(ctx context.Context, in *rds.StopDBInstanceInput, opts ...func(*rds.Options)) (*rds.StopDBInstanceOutput, error)
	StartDBInstance(ctx context.Context, in *rds.StartDBInstanceInput, opts ...func(*rds.Options)) (*rds.StartDBInstanceOutput, error)
	StopDBCluster(ctx context.Context, in *rds.StopDBClusterInput, opts ...func(*rds.Options)) (*rds.StopDBClusterOutput, error)
	StartDBCluster(ctx context.Context, in *rds.StartDBClusterInput, opts ...func(*rds.Options)) (*rds.StartDBClusterOutput, error)
}

// DynamoDB is what the DynamoDB method calls; *dynamodb.Client implements it.
type DynamoDB interface {
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTable(ctx context.Context, in *dynamodb.UpdateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error)
}

// ErrNoResources: a resource procedure ran on an engine without migration
// role clients.
var ErrNoResources = errors.New("the engine has no migration role clients (Engine.Resources)")

// resources is the engine's Resources or ErrNoResources.
func (e *Engine) resources() (Resources, error) {
	if e.Resources == nil {
		return nil, ErrNoResources
	}
	return e.Resources, nil
}

// resourceProc reports whether strategy name is a resource procedure.
func resourceProc(name string) bool {
	s, err := ParseStrategy(name)
	if err != nil {
		return false
	}
	p, err := procedureFor(s)
	return err == nil && p.resource
}

// subjectOf is the subject of a resource run key.
func subjectOf(rk store.RunKey) (Subject, error) {
	return SubjectAt(rk.KeyARN, rk.HSMLabel, rk.NewKeyID)
}
