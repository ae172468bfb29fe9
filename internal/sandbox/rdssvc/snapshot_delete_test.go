package rdssvc_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	rdssvc "github.com/byok-dev/byok/internal/sandbox/rdssvc"
)

// TestDeleteSnapshots: describing a DB snapshot and a cluster snapshot
// shows the key it is encrypted under; deleting one is refused while it
// is being created (InvalidDBSnapshotState, InvalidDBClusterSnapshotStateFault),
// answers "deleted" once it is available, and a second delete (or one of
// a snapshot that never was) is DBSnapshotNotFound /
// DBClusterSnapshotNotFoundFault.
func TestDeleteSnapshots(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	clock := e.srv.Env.Clock
	createPG(t, e.main, "app", true, "alias/dev/rds")
	if _, err := e.main.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("orders"), Engine: aws.String("aurora-postgresql"),
		StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String("alias/dev/rds"), MasterUsername: aws.String("admin")}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(rdssvc.DurMember)
	_, err := e.main.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("app"), DBSnapshotIdentifier: aws.String("final")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.main.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("orders"), DBClusterSnapshotIdentifier: aws.String("cfinal")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.main.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String("final")})
	mustCode(t, err, "InvalidDBSnapshotState")
	_, err = e.main.DeleteDBClusterSnapshot(ctx, &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: aws.String("cfinal")})
	mustCode(t, err, "InvalidDBClusterSnapshotStateFault")
	clock.Advance(rdssvc.DurSnapshot)

	sn, err := e.main.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("final")})
	if err != nil || len(sn.DBSnapshots) != 1 || aws.ToString(sn.DBSnapshots[0].KmsKeyId) != keyARN || !aws.ToBool(sn.DBSnapshots[0].Encrypted) {
		t.Fatalf("describe final = %+v, %v; want encrypted under %s", sn, err, keyARN)
	}
	cs, err := e.main.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterSnapshotIdentifier: aws.String("cfinal")})
	if err != nil || len(cs.DBClusterSnapshots) != 1 || aws.ToString(cs.DBClusterSnapshots[0].KmsKeyId) != keyARN || !aws.ToBool(cs.DBClusterSnapshots[0].StorageEncrypted) {
		t.Fatalf("describe cfinal = %+v, %v; want encrypted under %s", cs, err, keyARN)
	}

	del, err := e.main.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String("final")})
	if err != nil || aws.ToString(del.DBSnapshot.Status) != "deleted" || aws.ToString(del.DBSnapshot.KmsKeyId) != keyARN {
		t.Fatalf("delete final = %+v, %v", del, err)
	}
	cdel, err := e.main.DeleteDBClusterSnapshot(ctx, &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: aws.String("cfinal")})
	if err != nil || aws.ToString(cdel.DBClusterSnapshot.Status) != "deleted" {
		t.Fatalf("delete cfinal = %+v, %v", cdel, err)
	}
	_, err = e.main.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String("final")})
	mustCode(t, err, "DBSnapshotNotFound")
	_, err = e.main.DeleteDBClusterSnapshot(ctx, &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: aws.String("cfinal")})
	mustCode(t, err, "DBClusterSnapshotNotFoundFault")
	_, err = e.main.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("final")})
	mustCode(t, err, "DBSnapshotNotFound")
}
