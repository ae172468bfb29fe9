package migrate

import (
	"fmt"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/awslimits"
)

// Facts are what Gather read for one resource's pre-flight. A nil error
// means the read succeeded.
type Facts struct {
	Role    string // the migration role ARN
	RoleErr error  // assuming it
	KeyErr  error  // using the target key from the member account
	// DescribeErr is reading the resource's state.
	DescribeErr error
	Status      string // RDS instance/cluster status, DynamoDB TableStatus
	// RDS instances.
	ClusterID    string   // the instance is an Aurora member
	ReadReplicas []string // its read replicas
	// Aurora clusters.
	Members int
	// DynamoDB.
	SSEStatus    string      // SSEDescription.Status
	TableCreated time.Time   // CreationDateTime
	Switches     []time.Time // earlier key switches (CloudTrail UpdateTable with SSESpecification)
	SwitchesErr  error
	// S3.
	Versioning     string // GetBucketVersioning status ("" never enabled)
	Objects, Bytes int64
	Noncurrent     int64
	ListErr        error
}

// RoleTemplate is where the migration role is defined, for hints.
const RoleTemplate = "deploy/member-account.yaml (parameter EnableMigrationRole=true)"

// Evaluate adds the pre-flight checks and estimate from f to it (pure).
// Items that cannot be migrated are returned unchanged, except an Aurora
// member instance, which is migrated with its cluster.
func Evaluate(it Item, f Facts, now time.Time) Item {
	if it.Cannot != "" || it.Method == MethodNone {
		return it
	}
	if it.Method == MethodRDSInstance && f.ClusterID != "" {
		it.Method, it.Steps, it.Downtime, it.Estimate = MethodNone, nil, DowntimeUnknown, nil
		it.Cannot = "member of Aurora cluster " + f.ClusterID + ": it is migrated with its cluster"
		return it
	}
	if f.RoleErr != nil {
		it.Checks = append(it.Checks, fail(CheckRole, fmt.Sprintf("cannot assume %s: %v; deploy the migration role of %s",
			f.Role, f.RoleErr, RoleTemplate)))
	} else {
		it.Checks = append(it.Checks, pass(CheckRole, f.Role))
	}
	it.Checks = append(it.Checks, keyCheck(it, f))
	it.Checks = append(it.Checks, stateCheck(it, f))
	switch it.Method {
	case MethodDynamoDB:
		it = switchCheck(it, f, now)
	case MethodS3:
		it = listingCheck(it, f)
	case MethodAuroraCluster:
		if f.DescribeErr == nil {
			it.Estimate.Members = f.Members
		}
	}
	return it
}

func pass(name, detail string) Check { return Check{Name: name, Status: CheckPass, Detail: detail} }
func fail(name, detail string) Check { return Check{Name: name, Status: CheckFail, Detail: detail} }
func skipped(name string) Check {
	return Check{Name: name, Status: CheckSkipped, Detail: "not checked: the migration role could not be assumed"}
}

func keyCheck(it Item, f Facts) Check {
	switch {
	case f.RoleErr != nil:
		return skipped(CheckKey)
	case f.KeyErr != nil:
		return fail(CheckKey, fmt.Sprintf("account %s cannot use %s: %v; add the account to the key policy (deploy/key-policy-consumer.json) before any snapshot",
			it.Account, it.TargetKey, f.KeyErr))
	}
	return pass(CheckKey, "account "+it.Account+" can use the key")
}

// stateCheck: the resource is in a state the method allows.
func stateCheck(it Item, f Facts) Check {
	if f.DescribeErr != nil {
		return fail(CheckState, "cannot read the resource: "+f.DescribeErr.Error())
	}
	want := "available"
	switch it.Method {
	case MethodDynamoDB:
		want = "ACTIVE"
		if f.SSEStatus == "UPDATING" {
			return fail(CheckState, "a key switch is already under way (SSEDescription UPDATING); wait for ENABLED")
		}
	case MethodS3:
		return pass(CheckState, "buckets have no state to wait for")
	case MethodRDSInstance:
		if len(f.ReadReplicas) > 0 {
			return fail(CheckState, "has read replicas ("+strings.Join(f.ReadReplicas, ", ")+
				"): a restored instance would not carry them; promote or remove them first")
		}
	}
	if f.Status != want {
		return fail(CheckState, fmt.Sprintf("status %s; the method needs %s", f.Status, want))
	}
	return pass(CheckState, "status "+f.Status)
}

// switchCheck applies DynamoDB's daily limit on key switches.
func switchCheck(it Item, f Facts, now time.Time) Item {
	if f.RoleErr != nil {
		it.Checks = append(it.Checks, skipped(CheckSSELimit))
		return it
	}
	if f.SwitchesErr != nil {
		it.Checks = append(it.Checks, fail(CheckSSELimit, "cannot read this table's earlier key switches from CloudTrail: "+f.SwitchesErr.Error()))
		return it
	}
	next := awslimits.NextSSESwitch(f.TableCreated, f.Switches, now)
	if next.After(now) {
		n := next.UTC()
		it.NextSwitch = &n
		it.Checks = append(it.Checks, fail(CheckSSELimit, fmt.Sprintf("the table used its key switches for today; the next is allowed at %s",
			n.Format(time.RFC3339))))
		return it
	}
	it.Checks = append(it.Checks, pass(CheckSSELimit, fmt.Sprintf("%d switch(es) in the last 24 h", recent(f.Switches, now))))
	return it
}

func recent(ts []time.Time, now time.Time) int {
	n := 0
	for _, t := range ts {
		if now.Sub(t) < awslimits.SSESwitchWindow {
			n++
		}
	}
	return n
}

func listingCheck(it Item, f Facts) Item {
	if f.RoleErr != nil {
		it.Checks = append(it.Checks, skipped(CheckListing))
		it.Estimate = &Estimate{Note: "objects not counted: the migration role could not be assumed"}
		return it
	}
	if f.ListErr != nil {
		it.Checks = append(it.Checks, fail(CheckListing, "cannot list the objects: "+f.ListErr.Error()))
		it.Estimate = &Estimate{Note: "objects not counted"}
		return it
	}
	it.Checks = append(it.Checks, pass(CheckListing, fmt.Sprintf("%d objects listed", f.Objects)))
	note := "no downtime; default encryption only, no object to copy"
	if f.Objects > 0 {
		note = fmt.Sprintf("no downtime; %d objects / %d bytes to copy in place", f.Objects, f.Bytes)
	}
	if f.Noncurrent > 0 {
		note += fmt.Sprintf("; %d noncurrent versions stay on their key until a lifecycle rule expires them (they block retiring it)", f.Noncurrent)
	}
	it.Estimate = &Estimate{Objects: f.Objects, Bytes: f.Bytes, Noncurrent: f.Noncurrent, Note: note}
	return it
}
