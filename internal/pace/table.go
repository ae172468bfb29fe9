package pace

import "sort"

// Service codes, as Service Quotas and SigV4 name them.
const (
	ServiceKMS        = "kms"
	ServiceSTS        = "sts"
	ServiceCloudTrail = "cloudtrail"
	ServiceLogs       = "logs"
	ServiceEvents     = "events"
)

// Quota is one request quota: Ops share one per-second budget in each
// account and Region.
type Quota struct {
	Service   string
	Name      string // quota name without the " request rate" suffix
	Ops       []string
	PerSecond float64 // AWS's default
}

// symmetricCrypto is the KMS quota the symmetric cryptographic operations
// share. It varies by Region (5,500; 10,000; 20,000; 50,000; 100,000);
// the table holds 5,500, the lowest, so pacing is right in every Region
// unless Service Quotas says otherwise.
const symmetricCrypto = "Cryptographic operations (symmetric)"

// kmsDefaults are AWS KMS's default request quotas, requests per second
// per account and Region ("Request quotas", AWS KMS Developer Guide,
// docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html).
// Values the current page did not show in full come from the archived
// guide (github.com/awsdocs/aws-kms-developer-guide, requests-per-second.md),
// which are the same or lower. GetParametersForImport, ImportKeyMaterial
// and RotateKeyOnDemand have their own quotas and bound a rotation.
var kmsDefaults = []Quota{
	{Name: symmetricCrypto, PerSecond: 5500, Ops: []string{"Encrypt", "Decrypt",
		"GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncrypt", "GenerateRandom"}},
	{Name: "CancelKeyDeletion", PerSecond: 5}, {Name: "CreateAlias", PerSecond: 5},
	{Name: "CreateGrant", PerSecond: 50}, {Name: "CreateKey", PerSecond: 5},
	{Name: "DeleteAlias", PerSecond: 5}, {Name: "DeleteImportedKeyMaterial", PerSecond: 5},
	{Name: "DescribeKey", PerSecond: 100}, {Name: "DisableKey", PerSecond: 5},
	{Name: "EnableKey", PerSecond: 5}, {Name: "GetKeyPolicy", PerSecond: 30},
	{Name: "GetKeyRotationStatus", PerSecond: 30}, {Name: "GetParametersForImport", PerSecond: 1},
	{Name: "GetPublicKey", PerSecond: 5}, {Name: "ImportKeyMaterial", PerSecond: 15},
	{Name: "ListAliases", PerSecond: 100}, {Name: "ListGrants", PerSecond: 100},
	{Name: "ListKeyPolicies", PerSecond: 100}, {Name: "ListKeys", PerSecond: 100},
	{Name: "ListKeyRotations", PerSecond: 5}, {Name: "ListResourceTags", PerSecond: 100},
	{Name: "PutKeyPolicy", PerSecond: 5}, {Name: "ReplicateKey", PerSecond: 5},
	{Name: "RotateKeyOnDemand", PerSecond: 5}, {Name: "ScheduleKeyDeletion", PerSecond: 5},
	{Name: "TagResource", PerSecond: 5}, {Name: "UntagResource", PerSecond: 5},
	{Name: "UpdateAlias", PerSecond: 5}, {Name: "UpdateKeyDescription", PerSecond: 5},
}

// stsDefaults: STS allows 600 requests per second per account and Region,
// shared by the operations byok calls.
var stsDefaults = []Quota{{Name: "Requests", PerSecond: 600, Ops: []string{"AssumeRole", "GetCallerIdentity"}}}

// cloudTrailDefaults: LookupEvents is limited to two requests per second
// per account and Region (CloudTrail API reference, LookupEvents).
var cloudTrailDefaults = []Quota{{Name: "LookupEvents", PerSecond: 2}}

// logsDefaults are CloudWatch Logs' default request quotas per account and
// Region ("CloudWatch Logs quotas", Amazon CloudWatch Logs User Guide):
// FilterLogEvents 5 TPS (the knowledge-center page on throttling confirms
// it is a hard limit), PutLogEvents 5,000 TPS in the large Regions.
var logsDefaults = []Quota{
	{Name: "CreateLogGroup", PerSecond: 5}, {Name: "CreateLogStream", PerSecond: 50},
	{Name: "DeleteLogGroup", PerSecond: 10}, {Name: "DescribeLogGroups", PerSecond: 10},
	{Name: "DescribeLogStreams", PerSecond: 25}, {Name: "FilterLogEvents", PerSecond: 5},
	{Name: "GetLogEvents", PerSecond: 25}, {Name: "PutLogEvents", PerSecond: 5000},
	{Name: "PutRetentionPolicy", PerSecond: 5}, {Name: "PutResourcePolicy", PerSecond: 5},
	{Name: "DescribeResourcePolicies", PerSecond: 5}, {Name: "DeleteResourcePolicy", PerSecond: 5},
}

// eventsDefaults are EventBridge's default API request rates per account
// and Region for the rule and target operations ("Amazon EventBridge
// quotas": 50 TPS for each of them; PutEvents is not served).
var eventsDefaults = []Quota{
	{Name: "PutRule", PerSecond: 50}, {Name: "DescribeRule", PerSecond: 50}, {Name: "ListRules", PerSecond: 50},
	{Name: "DeleteRule", PerSecond: 50}, {Name: "EnableRule", PerSecond: 50}, {Name: "DisableRule", PerSecond: 50},
	{Name: "PutTargets", PerSecond: 50}, {Name: "ListTargetsByRule", PerSecond: 50},
	{Name: "RemoveTargets", PerSecond: 50}, {Name: "TestEventPattern", PerSecond: 50},
}

// Table is the default quota table: for each service, each operation's
// quota. Build it once with Defaults.
type Table struct {
	byOp map[opKey]Quota
	all  []Quota
}

type opKey struct{ service, op string }

// Defaults returns AWS's default request quotas for every service byok
// paces.
func Defaults() *Table {
	t := &Table{byOp: map[opKey]Quota{}}
	for _, set := range []struct {
		service string
		qs      []Quota
	}{{ServiceKMS, kmsDefaults}, {ServiceSTS, stsDefaults}, {ServiceCloudTrail, cloudTrailDefaults},
		{ServiceLogs, logsDefaults}, {ServiceEvents, eventsDefaults}} {
		for _, q := range set.qs {
			q.Service = set.service
			if len(q.Ops) == 0 {
				q.Ops = []string{q.Name}
			}
			t.all = append(t.all, q)
			for _, op := range q.Ops {
				t.byOp[opKey{set.service, op}] = q
			}
		}
	}
	return t
}

// Lookup returns the quota op of service counts against.
func (t *Table) Lookup(service, op string) (Quota, bool) {
	q, ok := t.byOp[opKey{service, op}]
	return q, ok
}

// Quotas lists the quotas of service, by name.
func (t *Table) Quotas(service string) []Quota {
	var out []Quota
	for _, q := range t.all {
		if q.Service == service {
			out = append(out, q)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
