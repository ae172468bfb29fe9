package compliance

import (
	"time"

	"github.com/byok-dev/byok/internal/estate"
)

// Verdict is a compliance verdict, spelled as AWS Config spells it.
// The zero value is invalid.
type Verdict int

// Verdicts.
const (
	VerdictUnknown Verdict = iota
	Compliant
	NonCompliant
	NotApplicable
	InsufficientData
	// Exempted is byok's own verdict, not AWS Config's: a NON_COMPLIANT
	// resource covered by a live estate exception (exempt.go). It is never
	// counted as COMPLIANT; the Config rule reports it as NOT_APPLICABLE
	// with an annotation naming the exception.
	Exempted
)

var verdictNames = [...]string{"UNKNOWN", "COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE", "INSUFFICIENT_DATA", "EXEMPTED"}

func (v Verdict) String() string {
	if v < 0 || int(v) >= len(verdictNames) {
		return "UNKNOWN"
	}
	return verdictNames[v]
}

// Reason says why a verdict was reached. Stable identifiers: they appear in
// JSON/CSV output, Config annotations and saved findings.
type Reason string

// Reasons (DESIGN.md "Compliance").
const (
	ReasonCompliant          Reason = "KEY_COMPLIANT"
	ReasonUnencrypted        Reason = "UNENCRYPTED"
	ReasonNotKMS             Reason = "NOT_KMS_ENCRYPTED"  // SSE-S3 (AES256) or AWS-owned key
	ReasonAWSManagedKey      Reason = "AWS_MANAGED_KEY"    // aws/s3, aws/rds, aws/dynamodb
	ReasonKeyOutsideEstate   Reason = "KEY_OUTSIDE_ESTATE" // a customer key that is not the estate key
	ReasonWrongEstateKey     Reason = "WRONG_ESTATE_KEY"   // an estate key of another env/service
	ReasonKeySuperseded      Reason = "KEY_SUPERSEDED"     // retired by an alias switch (new-key rotation)
	ReasonMaterialOverdue    Reason = "MATERIAL_OVERDUE"   // current material older than max age
	ReasonMaterialExpiring   Reason = "MATERIAL_EXPIRING"  // some material's ValidTo within the warning window
	ReasonKeyDisabled        Reason = "KEY_DISABLED"
	ReasonKeyPendingDeletion Reason = "KEY_PENDING_DELETION"
	ReasonKeyPendingImport   Reason = "KEY_PENDING_IMPORT"
	ReasonKeyUnreadable      Reason = "KEY_UNREADABLE"
	ReasonAliasInOwnAccount  Reason = "ALIAS_RESOLVES_IN_RESOURCE_ACCOUNT"
	ReasonOutsideEstate      Reason = "ACCOUNT_OUTSIDE_ESTATE" // resource account is no estate environment
	ReasonResourceDeleted    Reason = "RESOURCE_DELETED"
)

// ResourceType is the AWS Config resource type.
type ResourceType string

// Resource types byok evaluates.
const (
	RDSInstance   ResourceType = "AWS::RDS::DBInstance"
	RDSCluster    ResourceType = "AWS::RDS::DBCluster"
	DynamoDBTable ResourceType = "AWS::DynamoDB::Table"
	S3Bucket      ResourceType = "AWS::S3::Bucket"
)

// Encryption is how a resource is encrypted at rest. The zero value is invalid.
type Encryption int

// Encryption kinds.
const (
	EncryptionUnknown  Encryption = iota
	EncryptionNone                // RDS StorageEncrypted=false; S3 without default encryption
	EncryptionSSES3               // S3 AES256
	EncryptionAWSOwned            // DynamoDB default (no SSEDescription)
	EncryptionKMS                 // a KMS key named by KeyRef
)

// Resource is one RDS instance/cluster, DynamoDB table or S3 bucket as seen
// by the inventory or by a Config configuration item.
type Resource struct {
	Type ResourceType
	// ID is AWS Config's resourceId: DbiResourceId (db-…) for instances,
	// DbClusterResourceId (cluster-…) for clusters, the table or bucket name.
	ID         string
	Name       string // DB identifier, table name, bucket name
	ARN        string
	Account    string
	Region     string
	Encryption Encryption
	// KeyRef is the key as the resource names it: key ID, key ARN, alias
	// name or alias ARN. S3 resolves a bare alias in the bucket owner's
	// account, not the Security account.
	KeyRef string
	// Deleted marks a resource that no longer exists (Config ResourceDeleted).
	Deleted bool
}

// Material is one key material of a key (ListKeyRotations ALL_KEY_MATERIAL).
type Material struct {
	ID      string
	State   string // CURRENT, NON_CURRENT, PENDING_ROTATION, PENDING_MULTI_REGION_IMPORT_AND_ROTATION
	ValidTo *time.Time
	// Since is when it became current (rotation date), or was imported.
	Since time.Time
	// ImportState is IMPORTED, or PENDING_IMPORT for a material whose
	// imported copy expired or was deleted (the key cannot use it until the
	// same material is imported again); "" when unknown.
	ImportState string
}

// KeyFacts is what the Security account knows of one key, read once per scan.
type KeyFacts struct {
	ARN     string
	KeyID   string
	Account string
	Region  string
	Manager string // "AWS" or "CUSTOMER"
	State   string // KMS KeyState: Enabled, Disabled, PendingDeletion, PendingImport, …
	Origin  string // EXTERNAL, AWS_KMS, …
	// CurrentSince is when the CURRENT material became current (first
	// material: its import time; AWS_KMS keys: rotation date or creation).
	CurrentSince time.Time
	CurrentID    string
	Materials    []Material
	// Aliases are the alias names that target this key now.
	Aliases []string
	// FormerAliases are estate aliases this key used to be the target of
	// (recorded by byok on new-key rotation) and no longer is.
	FormerAliases []string
	// Err is set when the facts could not be read (the key is unreadable).
	Err error
}

// Result is the evaluator's answer for one resource.
type Result struct {
	Resource Resource
	Verdict  Verdict
	Reason   Reason
	// Detail is a human sentence (≤ 256 chars) suitable for a Config annotation.
	Detail string
	// KeyARN is the resolved key, when known.
	KeyARN string
	// Exception is the estate exception that exempts the resource (Verdict
	// Exempted), or the one that expired (Verdict NonCompliant); nil when
	// none matched. Reason keeps the finding that was exempted.
	Exception *estate.Exception
}
