package migrate

import (
	"errors"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
)

// Method is how a resource is moved onto its target key. The zero value
// is no method (the resource cannot be migrated; Item.Cannot says why).
type Method string

// Methods.
const (
	MethodNone          Method = ""
	MethodRDSInstance   Method = "rds-snapshot-copy-restore"
	MethodAuroraCluster Method = "aurora-cluster-snapshot-copy-restore"
	MethodDynamoDB      Method = "dynamodb-update-table-sse"
	MethodS3            Method = "s3-default-encryption-and-copy-in-place"
)

// Downtime classes what the application sees during the migration.
type Downtime string

// Downtime classes.
const (
	DowntimeUnknown Downtime = ""
	// DowntimeNone: readers and writers carry on (S3).
	DowntimeNone Downtime = "NONE"
	// DowntimeOnline: the table stays available while it is re-keyed.
	DowntimeOnline Downtime = "ONLINE"
	// DowntimeWritesStopped: writes must stop from the final snapshot to
	// the endpoint switch (RDS, Aurora).
	DowntimeWritesStopped Downtime = "WRITES_STOPPED"
)

// CheckStatus is a pre-flight result.
type CheckStatus string

// Check statuses.
const (
	CheckPass    CheckStatus = "PASS"
	CheckFail    CheckStatus = "FAIL"
	CheckSkipped CheckStatus = "SKIPPED" // could not run (an earlier check failed)
)

// Check names.
const (
	CheckRole     = "migration-role"    // the member account's migration role can be assumed
	CheckKey      = "target-key-usable" // the target key's policy lets that account use it
	CheckState    = "resource-state"    // the resource is in a state the method allows
	CheckSSELimit = "sse-switch-limit"  // DynamoDB: a key switch is allowed today
	CheckListing  = "object-listing"    // S3: the objects could be listed for the estimate
)

// Check is one pre-flight result.
type Check struct {
	Name   string      `json:"name"`
	Status CheckStatus `json:"status"`
	Detail string      `json:"detail,omitempty"`
}

// Estimate sizes the work.
type Estimate struct {
	// Objects and Bytes are the S3 objects to copy in place (current
	// versions, from a streamed ListObjectsV2).
	Objects int64 `json:"objects,omitempty"`
	Bytes   int64 `json:"bytes,omitempty"`
	// Noncurrent are older object versions (versioned buckets): they stay
	// on their key until a lifecycle rule expires them, and block retiring it.
	Noncurrent int64 `json:"noncurrent_versions,omitempty"`
	// Members are the Aurora instances to recreate in the restored cluster.
	Members int `json:"members,omitempty"`
	// Note says what the estimate means in words.
	Note string `json:"note"`
}

// Item is the plan for one resource.
type Item struct {
	Resource   compliance.Resource `json:"-"`
	Type       string              `json:"type"`
	Name       string              `json:"name"`
	ARN        string              `json:"arn"`
	Account    string              `json:"account"`
	Region     string              `json:"region"`
	Env        string              `json:"env,omitempty"`
	Reason     compliance.Reason   `json:"reason"`
	CurrentKey string              `json:"current_key,omitempty"`
	TargetKey  string              `json:"target_key,omitempty"`
	Method     Method              `json:"method,omitempty"`
	Steps      []string            `json:"steps,omitempty"`
	Downtime   Downtime            `json:"downtime,omitempty"`
	Estimate   *Estimate           `json:"estimate,omitempty"`
	Checks     []Check             `json:"preflight,omitempty"`
	// Cannot says why byok cannot migrate the resource ("" when it can).
	Cannot string `json:"cannot,omitempty"`
	// NextSwitch is when DynamoDB next allows a key switch, when the
	// daily limit blocks it now.
	NextSwitch *time.Time `json:"next_switch,omitempty"`
}

// Ready reports whether the item has a method and every check passed.
func (it Item) Ready() bool {
	if it.Cannot != "" || it.Method == MethodNone {
		return false
	}
	for _, c := range it.Checks {
		if c.Status != CheckPass {
			return false
		}
	}
	return true
}

// Plan is every selected resource's item.
type Plan struct {
	GeneratedAt time.Time `json:"generated_at"`
	Items       []Item    `json:"items"`
	// Errors are scan listings that failed: resources there are not planned.
	Errors []string `json:"errors,omitempty"`
}

// Errors of selection and planning.
var (
	// ErrTargetAlias: --to named an alias; a target must be a key ARN.
	ErrTargetAlias = errors.New("the target key must be a key ARN, not an alias or key ID (an alias resolves in the account that uses it)")
	// ErrNoEnv: --env named no environment of the estate.
	ErrNoEnv = errors.New("no such environment in the estate")
)
