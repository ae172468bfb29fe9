package demo

import (
	"time"
)

// ReportVersion is the schema version of demo-report.json.
const ReportVersion = 1

// Report is demo-report.json: what the demo found, did and proved.
type Report struct {
	Version     int       `json:"version"`
	ByokVersion string    `json:"byok_version,omitempty"`
	Started     time.Time `json:"started"`
	DurationMS  int64     `json:"duration_ms"`
	Endpoint    string    `json:"endpoint"`
	Accounts    []Account `json:"accounts"`
	Phases      []Phase   `json:"phases"`
	Before      Snapshot  `json:"before"`
	After       Snapshot  `json:"after"`
	// Left are the NON_COMPLIANT results of the last scan, each with why it
	// is expected (or not).
	Left []LeftFinding `json:"left"`
	Runs []RotationRun `json:"runs"`
	// Migrations are the resources byok migrate moved onto the new key.
	Migrations []Migration `json:"migrations"`
	// Retirements are the old keys byok retire disabled.
	Retirements []Retirement `json:"retirements"`
	// Readable proves the data is still readable after the migration and
	// the retirement: S3 objects by GetObject, canaries by Decrypt.
	Readable []ReadProof `json:"readable"`
	// Reimports are the expiring materials re-imported without expiry.
	Reimports []Reimport `json:"reimports"`
	// Remediations are fixes resource owners applied (not byok).
	Remediations []Remediation `json:"remediations"`
	Verification []KeyProof    `json:"verification"`
	Watch        WatchResult   `json:"watch"`
	Audit        AuditStatus   `json:"audit"`
	// OK is true when every phase came out as it must.
	OK bool `json:"ok"`
}

// Account is a sandbox account of the estate.
type Account struct {
	ID   string `json:"id"`
	Name string `json:"name"` // security, dev, prod
}

// Phase is one step of the story and what it proves.
type Phase struct {
	Name       string `json:"name"`
	Proves     string `json:"proves"`
	DurationMS int64  `json:"duration_ms"`
	OK         bool   `json:"ok"`
	Error      string `json:"error,omitempty"`
}

// Snapshot is one scan's compliance.
type Snapshot struct {
	Total     int            `json:"total"`
	ByVerdict map[string]int `json:"by_verdict"`
	ByReason  map[string]int `json:"by_reason"`
	// Cells count verdicts per account and service (s3, rds, dynamodb).
	Cells        []Cell    `json:"cells"`
	NonCompliant []Finding `json:"non_compliant"`
	Errors       []string  `json:"errors,omitempty"`
}

// Cell counts verdicts of one account and service.
type Cell struct {
	Account     string         `json:"account"`
	AccountName string         `json:"account_name"`
	Service     string         `json:"service"`
	Total       int            `json:"total"`
	ByVerdict   map[string]int `json:"by_verdict"`
}

// Finding is one resource's verdict.
type Finding struct {
	Type    string `json:"type"` // rds-instance, rds-cluster, dynamodb-table, s3-bucket
	Name    string `json:"name"`
	Account string `json:"account"`
	Region  string `json:"region"`
	Verdict string `json:"verdict"`
	Reason  string `json:"reason"`
	Detail  string `json:"detail"`
	KeyARN  string `json:"key_arn,omitempty"`
}

// Why a finding is still NON_COMPLIANT after the story.
const (
	LeftRetiredKey = "retired-key"       // on the key the new-key rotation retired: re-key it in a maintenance window
	LeftNotKeyAge  = "not-rotation"      // a finding rotation cannot fix (e.g. an AWS-managed key): re-encrypt under the estate key
	LeftExpiring   = "expiring-material" // older material still expires: rotation adds material, it cannot extend another's ValidTo
	LeftUnexpected = "unexpected"        // should have been fixed by the rotation
)

// LeftFinding is a NON_COMPLIANT result of the last scan and its class.
type LeftFinding struct {
	Finding
	Class string `json:"class"`
	Fix   string `json:"fix"`
}

// RotationRun is one rotation run of the story.
type RotationRun struct {
	ID         string   `json:"id"`
	Strategy   string   `json:"strategy"`
	Status     string   `json:"status"`
	ChangeRef  string   `json:"change_ref"`
	Operator   string   `json:"operator"`
	DurationMS int64    `json:"duration_ms"`
	Keys       []RunKey `json:"keys"`
}

// RunKey is one key of a run: old → new material (in place) or key (new-key).
type RunKey struct {
	Alias         string     `json:"alias"`
	KeyARN        string     `json:"key_arn"`
	OldMaterialID string     `json:"old_material_id"`
	NewMaterialID string     `json:"new_material_id"`
	OldKeyID      string     `json:"old_key_id,omitempty"`
	NewKeyID      string     `json:"new_key_id,omitempty"`
	BlobSHA256    string     `json:"blob_sha256"`
	Steps         []StepSpan `json:"steps"`
}

// Reimport is one expiring material byok re-imported without expiry from
// the HSM object that holds it (same KeyMaterialId).
type Reimport struct {
	ID              string `json:"id"` // the audit entries' run ID
	Alias           string `json:"alias"`
	KeyARN          string `json:"key_arn"`
	MaterialID      string `json:"material_id"`
	BlobSHA256      string `json:"blob_sha256"`
	NoExpiry        bool   `json:"material_does_not_expire"`
	Verified        bool   `json:"verified"` // fresh round trip from every account, key Enabled
	OldDataDecrypts bool   `json:"old_data_decrypts"`
	Error           string `json:"error,omitempty"`
}

// Remediation is a fix a resource's owner applied for a finding that no
// key rotation can fix.
type Remediation struct {
	Owner    string `json:"owner"` // who applies it, e.g. "prod platform team"
	Account  string `json:"account"`
	Resource string `json:"resource"`
	Finding  string `json:"finding"` // the reason the scan gave
	Action   string `json:"action"`
	OK       bool   `json:"ok"`
}

// StepSpan is one journaled step, in milliseconds from the run's start.
type StepSpan struct {
	Step    string `json:"step"`
	StartMS int64  `json:"start_ms"`
	EndMS   int64  `json:"end_ms"`
	OK      bool   `json:"ok"`
}

// KeyProof is what the demo checked itself for one rotated key, from the
// key's consumer account, through its alias ARN.
type KeyProof struct {
	Alias   string         `json:"alias"`
	Account string         `json:"account"`
	Checks  []AccountProof `json:"accounts"`
}

// AccountProof is one account's view of a rotated key.
type AccountProof struct {
	Account string `json:"account"`
	// OldDataDecrypts: data encrypted before the rotation still decrypts,
	// under the old material.
	OldDataDecrypts bool   `json:"old_data_decrypts"`
	OldMaterialID   string `json:"old_material_id"`
	// NewDataOnNew: data encrypted now is under the new material.
	NewDataOnNew  bool   `json:"new_data_on_new_material"`
	NewMaterialID string `json:"new_material_id"`
	// EngineVerified: the rotation's own verify step passed for this account.
	EngineVerified bool   `json:"engine_verified"`
	Error          string `json:"error,omitempty"`
}

// WatchResult is what CloudTrail showed after the rotations.
type WatchResult struct {
	KeysWatched int `json:"keys_watched"`
	// RotationFailures are failed KMS calls on rotated keys other than the
	// control call: must be 0.
	RotationFailures int `json:"rotation_failures"`
	// ControlDetected: the deliberately denied call was found, so the
	// watch is not blind.
	ControlDetected bool           `json:"control_detected"`
	Failures        []WatchFailure `json:"failures"`
}

// WatchFailure is a group of failed calls CloudTrail recorded.
type WatchFailure struct {
	Alias     string `json:"alias"`
	Account   string `json:"account"`
	Principal string `json:"principal"`
	Event     string `json:"event"`
	ErrorCode string `json:"error_code"`
	Count     int    `json:"count"`
	Control   bool   `json:"control"`
}

// AuditStatus is `byok audit verify` on the demo's state store.
type AuditStatus struct {
	Checked  bool     `json:"checked"` // false when the story stopped before the audit phase
	OK       bool     `json:"ok"`
	Entries  int      `json:"entries"`
	HeadSeq  int64    `json:"head_seq"`
	HeadHash string   `json:"head_hash"`
	Problems []string `json:"problems,omitempty"`
}
