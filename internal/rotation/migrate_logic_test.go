package rotation

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/byok-dev/byok/internal/store"
)

func TestInstanceUnfit(t *testing.T) {
	for name, c := range map[string]struct {
		db   rdstypes.DBInstance
		want string
	}{
		"available":     {db: rdstypes.DBInstance{DBInstanceStatus: aws.String("available")}},
		"modifying":     {db: rdstypes.DBInstance{DBInstanceStatus: aws.String("modifying")}, want: "status modifying"},
		"read replicas": {db: rdstypes.DBInstance{DBInstanceStatus: aws.String("available"), ReadReplicaDBInstanceIdentifiers: []string{"r1", "r2"}}, want: "read replicas (r1, r2)"},
		"a replica":     {db: rdstypes.DBInstance{DBInstanceStatus: aws.String("available"), ReadReplicaSourceDBInstanceIdentifier: aws.String("src")}, want: "read replica of src"},
		"aurora member": {db: rdstypes.DBInstance{DBInstanceStatus: aws.String("available"), DBClusterIdentifier: aws.String("c")}, want: "migrate the cluster"},
	} {
		t.Run(name, func(t *testing.T) {
			got := instanceUnfit(&c.db)
			if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
				t.Fatalf("instanceUnfit = %q, want %q", got, c.want)
			}
		})
	}
}

func TestRegionKey(t *testing.T) {
	const mrk = "arn:aws:kms:eu-west-1:111111111111:key/mrk-1234"
	const single = "arn:aws:kms:eu-west-1:111111111111:key/1234"
	for name, c := range map[string]struct {
		key, region, want string
		err               error
	}{
		"home Region":           {key: single, region: "eu-west-1", want: single},
		"multi-Region replica":  {key: mrk, region: "eu-central-1", want: "arn:aws:kms:eu-central-1:111111111111:key/mrk-1234"},
		"single-Region replica": {key: single, region: "eu-central-1", err: ErrMigrationState},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := regionKey(c.key, c.region)
			if !errors.Is(err, c.err) || got != c.want {
				t.Fatalf("regionKey = %q, %v; want %q, %v", got, err, c.want, c.err)
			}
		})
	}
}

func TestMigNames(t *testing.T) {
	id := store.RunID("r-20261127T010203Z-3fa9")
	if got := migName("prod-db", "old", id); got != "prod-db-byok-old-20261127t010203z3fa9" {
		t.Fatalf("migName = %q", got)
	}
	j := &keyJob{run: store.Run{ID: id}}
	if j.originalMember("m-1-byok-old-20261127t010203z3fa9") != "m-1" || j.originalMember("m-1") != "m-1" {
		t.Fatal("originalMember does not strip byok's suffix")
	}
}

func TestStrategyForMethod(t *testing.T) {
	for method, want := range map[string]Strategy{"rds-snapshot-copy-restore": MigrateRDSInstance,
		"aurora-cluster-snapshot-copy-restore": MigrateAuroraCluster, "dynamodb-update-table-sse": MigrateDynamoDB} {
		if got, err := StrategyForMethod(method); err != nil || got != want {
			t.Errorf("%s: %v, %v; want %v", method, got, err, want)
		}
	}
	for _, m := range []string{"", "no-such-method"} {
		if _, err := StrategyForMethod(m); !errors.Is(err, ErrNoMethod) {
			t.Errorf("%q: %v, want ErrNoMethod", m, err)
		}
	}
}

// TestSwitched: a rollback undoes a resource once its switch (or key
// switch) began, not before.
func TestSwitched(t *testing.T) {
	for step, want := range map[store.Step]bool{store.StepRestore: false, store.StepSwitch: true, store.StepDone: true, store.StepUnknown: false} {
		if got := switched(store.RunKey{Strategy: MigrateRDSInstance.String(), Step: step}); got != want {
			t.Errorf("rds at %s: %v", step, got)
		}
	}
	if !switched(store.RunKey{Strategy: MigrateDynamoDB.String(), Step: store.StepUpdateSSE}) || switched(store.RunKey{Strategy: MigrateDynamoDB.String(), Step: store.StepPlan}) {
		t.Error("dynamodb switched")
	}
}

func TestMigrationHint(t *testing.T) {
	run := store.RunID("r-20261127T010203Z-3fa9")
	for name, c := range map[string]struct {
		err  error
		want string
	}{
		"writers":  {err: fmt.Errorf("x: %w", ErrWritersNotConfirmed), want: "--writers-stopped"},
		"limit":    {err: fmt.Errorf("%w: next at T", ErrSwitchLimit), want: "next key switch"},
		"wait":     {err: &WaitError{What: "x"}, want: "waits again"},
		"verify":   {err: fmt.Errorf("%w: no", ErrVerification), want: "byok migrate rollback " + string(run)},
		"refusal":  {err: &Refusal{Err: ErrMigrationState, Hint: "do X"}, want: "do X"},
		"anything": {err: errors.New("boom"), want: "byok migrate resume " + string(run)},
	} {
		if got := migrationHint(c.err, run); !strings.Contains(got, c.want) {
			t.Errorf("%s: hint %q, want %q in it", name, got, c.want)
		}
	}
}
