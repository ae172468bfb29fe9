package rdssvc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	rdssvc "github.com/byok-dev/byok/internal/sandbox/rdssvc"
)

func TestAuroraClusterWithMembers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cl, err := e.main.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("ledger"),
		Engine: aws.String("aurora-postgresql"), StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String("alias/dev/rds"),
		MasterUsername: aws.String("admin")})
	if err != nil {
		t.Fatal(err)
	}
	if rid := aws.ToString(cl.DBCluster.DbClusterResourceId); !strings.HasPrefix(rid, "cluster-") || len(rid) != 34 {
		t.Errorf("DbClusterResourceId = %q", rid)
	}
	for _, id := range []string{"ledger-1", "ledger-2"} {
		_, err := e.main.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id),
			DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql"), DBClusterIdentifier: aws.String("ledger")})
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = e.main.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("ledger-3"),
		DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql"),
		DBClusterIdentifier: aws.String("ledger"), KmsKeyId: aws.String("alias/dev/rds-new"), StorageEncrypted: aws.Bool(true)})
	mustCode(t, err, "InvalidParameterCombination")
	_, err = e.main.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("ledger-4"),
		DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-mysql"), DBClusterIdentifier: aws.String("ledger")})
	mustCode(t, err, "InvalidParameterCombination")

	out, err := e.main.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("ledger")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.DBClusters[0]
	if aws.ToString(c.KmsKeyId) != keyARN || !aws.ToBool(c.StorageEncrypted) {
		t.Errorf("cluster key = %q encrypted=%v", aws.ToString(c.KmsKeyId), aws.ToBool(c.StorageEncrypted))
	}
	if len(c.DBClusterMembers) != 2 || !aws.ToBool(c.DBClusterMembers[0].IsClusterWriter) || aws.ToBool(c.DBClusterMembers[1].IsClusterWriter) {
		t.Fatalf("members = %+v, want ledger-1 writer and ledger-2 reader", c.DBClusterMembers)
	}
	inst, err := e.main.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("ledger-2")})
	if err != nil {
		t.Fatal(err)
	}
	m := inst.DBInstances[0]
	if aws.ToString(m.DBClusterIdentifier) != "ledger" || aws.ToString(m.KmsKeyId) != keyARN {
		t.Errorf("member cluster=%q key=%q, want ledger and the cluster key", aws.ToString(m.DBClusterIdentifier), aws.ToString(m.KmsKeyId))
	}
	_, err = e.main.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String("ledger"), SkipFinalSnapshot: aws.Bool(true)})
	mustCode(t, err, "InvalidDBClusterStateFault")
	_, err = e.main.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("nope")})
	mustCode(t, err, "DBClusterNotFoundFault")
	_, err = e.main.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("ledger"), Engine: aws.String("aurora-postgresql")})
	mustCode(t, err, "DBClusterAlreadyExistsFault")
}

func TestDescribePagination(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.rds.Bulk(rdssvc.BulkRequest{Account: acct, Region: region, Kind: "instance", Count: 45, Prefix: "bench"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rds.Bulk(rdssvc.BulkRequest{Account: acct, Region: region, Kind: "cluster", Count: 21, Prefix: "aur",
		KeyID: "alias/dev/rds", MembersPerCluster: 1}); err != nil {
		t.Fatal(err)
	}
	pages, seen := 0, map[string]bool{}
	p := rds.NewDescribeDBInstancesPaginator(e.main, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(20)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, d := range out.DBInstances {
			seen[aws.ToString(d.DBInstanceIdentifier)] = true
		}
	}
	if pages != 4 || len(seen) != 66 {
		t.Fatalf("pages=%d instances=%d, want 4 pages of 66 (45 + 21 members)", pages, len(seen))
	}
	cp := rds.NewDescribeDBClustersPaginator(e.main, &rds.DescribeDBClustersInput{MaxRecords: aws.Int32(20)})
	n := 0
	for cp.HasMorePages() {
		out, err := cp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range out.DBClusters {
			if aws.ToString(c.KmsKeyId) != keyARN || len(c.DBClusterMembers) != 1 {
				t.Fatalf("bulk cluster %s: key %q members %d", aws.ToString(c.DBClusterIdentifier), aws.ToString(c.KmsKeyId), len(c.DBClusterMembers))
			}
			n++
		}
	}
	if n != 21 {
		t.Fatalf("clusters = %d, want 21", n)
	}
	for _, bad := range []int32{19, 101, 0} {
		_, err := e.main.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(bad)})
		mustCode(t, err, "InvalidParameterValue")
		_, err = e.main.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{MaxRecords: aws.Int32(bad)})
		mustCode(t, err, "InvalidParameterValue")
	}
	_, err := e.main.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Marker: aws.String("%%%")})
	mustCode(t, err, "InvalidParameterValue")
}
