package rotation

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// dbKind is what the RDS and Aurora migration steps need of one kind of
// database resource (a DB instance or a DB cluster): how to read one by
// name, its resource ID and status, and how to rename and stop it. The
// waiting and the name swap are written once on top of it.
type dbKind[T any] struct {
	kind     string // "instance" or "cluster", for messages
	describe func(ctx context.Context, c RDS, name string) (*T, error)
	rid      func(*T) string
	status   func(*T) string
	rename   func(ctx context.Context, c RDS, from, to string) error
	stop     func(ctx context.Context, c RDS, name string) error
}

var instanceKind = dbKind[rdstypes.DBInstance]{kind: "instance", describe: describeInstance,
	rid:    func(d *rdstypes.DBInstance) string { return aws.ToString(d.DbiResourceId) },
	status: func(d *rdstypes.DBInstance) string { return aws.ToString(d.DBInstanceStatus) },
	rename: renameInstance,
	stop: func(ctx context.Context, c RDS, name string) error {
		if _, err := c.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String(name)}); err != nil {
			return fmt.Errorf("StopDBInstance %s: %w", name, err)
		}
		return nil
	},
}

var clusterKind = dbKind[rdstypes.DBCluster]{kind: "cluster", describe: describeCluster,
	rid:    func(d *rdstypes.DBCluster) string { return aws.ToString(d.DbClusterResourceId) },
	status: func(d *rdstypes.DBCluster) string { return aws.ToString(d.Status) },
	rename: renameCluster,
	stop: func(ctx context.Context, c RDS, name string) error {
		if _, err := c.StopDBCluster(ctx, &rds.StopDBClusterInput{DBClusterIdentifier: aws.String(name)}); err != nil {
			return fmt.Errorf("StopDBCluster %s: %w", name, err)
		}
		return nil
	},
}

// wait waits until name is available (and has resource ID rid, when set)
// and returns it.
func (k dbKind[T]) wait(ctx context.Context, j *keyJob, c RDS, name, rid string) (*T, error) {
	var got *T
	err := j.waitFor(ctx, "DB "+k.kind+" "+name+" available", func(ctx context.Context) (bool, string, error) {
		d, err := k.describe(ctx, c, name)
		if err != nil || d == nil {
			return false, "not found", err
		}
		got = d
		st, id := k.status(d), k.rid(d)
		return st == "available" && (rid == "" || id == rid), "status " + st + ", " + id, nil
	})
	return got, err
}

// names are the nameOps of this kind through c.
func (k dbKind[T]) names(j *keyJob, c RDS) nameOps {
	read := func(ctx context.Context, name string, field func(*T) string) (string, error) {
		d, err := k.describe(ctx, c, name)
		if err != nil || d == nil {
			return "", err
		}
		return field(d), nil
	}
	return nameOps{kind: k.kind,
		holder: func(ctx context.Context, name string) (string, error) { return read(ctx, name, k.rid) },
		wait: func(ctx context.Context, name, id string) error {
			_, err := k.wait(ctx, j, c, name, id)
			return err
		},
		rename: func(ctx context.Context, from, to string) error { return k.rename(ctx, c, from, to) },
		status: func(ctx context.Context, name string) (string, error) { return read(ctx, name, k.status) },
		stop:   func(ctx context.Context, name string) error { return k.stop(ctx, c, name) },
	}
}

// waitInstance waits until instance id is available (and has resource ID
// rid, when set) and returns it.
func (j *keyJob) waitInstance(ctx context.Context, c RDS, id, rid string) (*rdstypes.DBInstance, error) {
	return instanceKind.wait(ctx, j, c, id, rid)
}

// waitCluster is waitInstance for DB clusters.
func (j *keyJob) waitCluster(ctx context.Context, c RDS, id, rid string) (*rdstypes.DBCluster, error) {
	return clusterKind.wait(ctx, j, c, id, rid)
}
