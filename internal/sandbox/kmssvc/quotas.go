package kmssvc

import "github.com/byok-dev/byok/internal/sandbox/faults"

// Quotas returns AWS KMS's default request quotas (requests per second, per
// account and Region) for the operations the sandbox serves, from the "AWS
// KMS request quotas" page of the KMS Developer Guide
// (docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html).
//
// The shared symmetric cryptographic quota varies by Region (5,500;
// 10,000; 20,000; 50,000; 100,000 in the largest Regions); the sandbox uses
// 5,500, the lowest, so that code that survives the sandbox survives every
// Region. Management values are the documented defaults; where the
// current page was not readable in full (DescribeKey, GetKeyPolicy,
// GetKeyRotationStatus, List*), the values of the archived developer guide
// (github.com/awsdocs/aws-kms-developer-guide, requests-per-second.md) are
// used, which are the same or lower than today's.
func Quotas() []faults.Quota {
	q := func(name string, perSecond float64, ops ...string) faults.Quota {
		if len(ops) == 0 {
			ops = []string{name}
		}
		return faults.Quota{Name: name, Ops: ops, PerSecond: perSecond}
	}
	return []faults.Quota{
		q("CryptographicOperationsSymmetric", 5500,
			"Encrypt", "Decrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncrypt", "GenerateRandom"),
		q("CancelKeyDeletion", 5), q("CreateAlias", 5), q("CreateKey", 5), q("DeleteAlias", 5),
		q("DeleteImportedKeyMaterial", 5), q("DescribeKey", 100), q("DisableKey", 5), q("EnableKey", 5),
		q("GetKeyPolicy", 30), q("GetKeyRotationStatus", 30), q("GetParametersForImport", 1),
		q("ImportKeyMaterial", 15), q("ListAliases", 100), q("ListKeys", 100), q("ListKeyRotations", 5),
		q("ListResourceTags", 100), q("PutKeyPolicy", 5), q("ReplicateKey", 5), q("RotateKeyOnDemand", 5),
		q("ScheduleKeyDeletion", 5), q("TagResource", 5), q("UntagResource", 5), q("UpdateAlias", 5),
		q("UpdateKeyDescription", 5),
	}
}
