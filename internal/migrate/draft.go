package migrate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/byok-dev/byok/internal/compliance"
)

// fixable are the reasons a migration to the estate key remedies.
var fixable = map[compliance.Reason]bool{
	compliance.ReasonKeySuperseded:    true,
	compliance.ReasonAWSManagedKey:    true,
	compliance.ReasonKeyOutsideEstate: true,
	compliance.ReasonWrongEstateKey:   true,
	compliance.ReasonNotKMS:           true,
	compliance.ReasonUnencrypted:      true,
}

// Fixable reports whether a result's reason is one a migration remedies.
func Fixable(r compliance.Reason) bool { return fixable[r] }

// Selection picks the resources to plan; empty fields select everything.
type Selection struct {
	Account  string // the --env environment's consumer account
	Key      string // key ARN, key ID or alias the resources are (or were) on
	Resource string // one resource ARN
}

// KeyFacts looks a key up by ARN (the scan's index).
type KeyFacts func(keyARN string) (compliance.KeyFacts, bool)

// Select returns the results with a fixable reason that sel picks, in
// their order.
func Select(results []compliance.Result, sel Selection, facts KeyFacts) []compliance.Result {
	var out []compliance.Result
	for _, r := range results {
		if !fixable[r.Reason] || r.Resource.Deleted {
			continue
		}
		if sel.Account != "" && r.Resource.Account != sel.Account {
			continue
		}
		if sel.Resource != "" && r.Resource.ARN != sel.Resource {
			continue
		}
		if sel.Key != "" && !onKey(r, sel.Key, facts) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// onKey: the result's key is key by ARN, ID, or an alias that targets or
// targeted it.
func onKey(r compliance.Result, key string, facts KeyFacts) bool {
	if r.KeyARN == "" {
		return r.Resource.KeyRef != "" && r.Resource.KeyRef == key
	}
	if r.KeyARN == key || strings.HasSuffix(r.KeyARN, ":key/"+key) || r.Resource.KeyRef == key {
		return true
	}
	if facts == nil {
		return false
	}
	kf, ok := facts(r.KeyARN)
	return ok && (slices.Contains(kf.Aliases, key) || slices.Contains(kf.FormerAliases, key))
}

// Target is a resource's target key: env and key ARN, or why there is none.
type Target struct {
	Env    string
	KeyARN string
	Why    string // non-empty: no target (e.g. the account is no estate environment)
}

// Draft plans r's method, steps and downtime towards t (pure).
func Draft(r compliance.Result, t Target) Item {
	res := r.Resource
	it := Item{Resource: res, Type: string(res.Type), Name: res.Name, ARN: res.ARN, Account: res.Account,
		Region: res.Region, Env: t.Env, Reason: r.Reason, CurrentKey: r.KeyARN, TargetKey: t.KeyARN}
	if it.CurrentKey == "" {
		it.CurrentKey = res.KeyRef
	}
	switch {
	case t.Why != "":
		it.Cannot = t.Why
		return it
	case t.KeyARN == "":
		it.Cannot = "no target key is known for this resource"
		return it
	case r.KeyARN != "" && r.KeyARN == t.KeyARN:
		it.Cannot = "the resource is already on the target key " + t.KeyARN
		return it
	}
	switch res.Type {
	case compliance.RDSInstance:
		it.Method, it.Downtime, it.Steps = MethodRDSInstance, DowntimeWritesStopped, rdsSteps(res.Name, t.KeyARN)
	case compliance.RDSCluster:
		it.Method, it.Downtime, it.Steps = MethodAuroraCluster, DowntimeWritesStopped, auroraSteps(res.Name, t.KeyARN)
		it.Estimate = &Estimate{Note: "writes must stop from the final cluster snapshot to the switch"}
	case compliance.DynamoDBTable:
		it.Method, it.Downtime, it.Steps = MethodDynamoDB, DowntimeOnline, dynamoSteps(t.KeyARN)
		it.Estimate = &Estimate{Note: "online: the table stays readable and writable while DynamoDB re-encrypts"}
	case compliance.S3Bucket:
		it.Method, it.Downtime, it.Steps = MethodS3, DowntimeNone, s3Steps(t.KeyARN)
	default:
		it.Cannot = fmt.Sprintf("byok has no migration method for %s", res.Type)
	}
	if it.Method == MethodRDSInstance {
		it.Estimate = &Estimate{Note: "writes must stop from the final snapshot to the endpoint switch"}
	}
	return it
}

func rdsSteps(id, key string) []string {
	return []string{
		"confirm that writers to " + id + " have stopped (--writers-stopped or the prompt), recorded in the journal and audit",
		"CreateDBSnapshot " + id + "-byok-final-RUN (final snapshot); wait available",
		"CopyDBSnapshot to " + id + "-byok-rekeyed-RUN with KmsKeyId " + key + "; wait available",
		"RestoreDBInstanceFromDBSnapshot " + id + "-byok-new-RUN with the original's class, subnet group, parameter and option groups, security groups, Multi-AZ, port and tags; wait available",
		"ModifyDBInstance " + id + " → " + id + "-byok-old-RUN, then " + id + "-byok-new-RUN → " + id + " (ApplyImmediately): clients keep the endpoint name",
		"verify " + id + ": StorageEncrypted, KmsKeyId " + key + ", available",
		"StopDBInstance " + id + "-byok-old-RUN, kept for rollback (byok migrate rollback swaps the names back)",
	}
}

func auroraSteps(id, key string) []string {
	return []string{
		"confirm that writers to cluster " + id + " have stopped (--writers-stopped or the prompt), recorded in the journal and audit",
		"CreateDBClusterSnapshot " + id + "-byok-final-RUN; wait available",
		"CopyDBClusterSnapshot to " + id + "-byok-rekeyed-RUN with KmsKeyId " + key + "; wait available",
		"RestoreDBClusterFromSnapshot " + id + "-byok-new-RUN with the original's subnet group, security groups, port and tags; wait available",
		"CreateDBInstance in " + id + "-byok-new-RUN for each original member (same class and promotion tier); wait available",
		"ModifyDBCluster " + id + " → " + id + "-byok-old-RUN, then " + id + "-byok-new-RUN → " + id + " (ApplyImmediately): clients keep the cluster endpoint",
		"verify " + id + ": StorageEncrypted, KmsKeyId " + key + ", available with every member",
		"StopDBCluster " + id + "-byok-old-RUN, kept for rollback",
	}
}

func dynamoSteps(key string) []string {
	return []string{
		"UpdateTable SSESpecification {Enabled, SSEType KMS, KMSMasterKeyId " + key + "}",
		"wait until SSEDescription is ENABLED with KMSMasterKeyArn " + key,
	}
}

func s3Steps(key string) []string {
	return []string{
		"PutBucketEncryption aws:kms with KMSMasterKeyID " + key + " and BucketKeyEnabled",
		"CopyObject every current object onto itself with SSE-KMS " + key + " (metadata, tags, storage class and checksum kept; UploadPartCopy above 5 GB), streaming ListObjectsV2 with a checkpoint",
		"skip and list objects under Object Lock retention or legal hold",
		"count noncurrent versions still on the old key (they block retiring it until a lifecycle rule expires them)",
	}
}
