package configrule_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/inventory"
	"github.com/byok-dev/byok/internal/keyfacts"
	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/scan"
)

// scanClients reach each account as its sandbox admin, as `byok scan`
// does through its roles.
type scanClients struct {
	t testing.TB
	w *world
}

func (c scanClients) RDS(a, r string) inventory.RDS {
	return rds.NewFromConfig(awsx.WithRegion(c.w.cfg(c.t, a), r))
}

func (c scanClients) DynamoDB(a, r string) inventory.DynamoDB {
	return dynamodb.NewFromConfig(awsx.WithRegion(c.w.cfg(c.t, a), r))
}

func (c scanClients) S3(a, r string) inventory.S3 {
	return awsx.S3(awsx.WithRegion(c.w.cfg(c.t, a), r))
}

func (c scanClients) KMS(a, r string) keyfacts.KMS {
	return kms.NewFromConfig(awsx.WithRegion(c.w.cfg(c.t, a), r))
}

// scan runs `byok scan`'s engine over the consumer accounts at the
// sandbox's time.
func (w *world) scan(t *testing.T) report.Report {
	t.Helper()
	c := scanClients{t, w}
	var accounts []string
	for _, env := range w.est.Environments {
		accounts = append(accounts, env.Account)
	}
	rep, err := scan.Run(context.Background(), w.est, scan.Deps{Inventory: c, KMS: c.KMS},
		scan.Options{Accounts: accounts, Now: w.sb.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Meta.Errors) > 0 {
		t.Fatalf("scan errors: %+v", rep.Meta.Errors)
	}
	return rep
}

func (w *world) dbiResourceID(t *testing.T, id string) string {
	t.Helper()
	out, err := rds.NewFromConfig(w.cfg(t, devAccountOf(w, id))).DescribeDBInstances(context.Background(),
		&rds.DescribeDBInstancesInput{DBInstanceIdentifier: &id})
	if err != nil || len(out.DBInstances) != 1 {
		t.Fatalf("describe %s: %v", id, err)
	}
	return *out.DBInstances[0].DbiResourceId
}

// devAccountOf: the demo names resources after their environment.
func devAccountOf(w *world, id string) string {
	for _, env := range w.est.Environments {
		if len(id) > len(env.Name) && id[:len(env.Name)+1] == env.Name+"-" {
			return env.Account
		}
	}
	return ""
}
