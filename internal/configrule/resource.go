package configrule

import (
	"encoding/json"
	"strings"

	"github.com/byok-dev/byok/internal/compliance"
)

// ResourceFromItem turns a configuration item into the evaluator's
// resource, reading each type's encryption exactly where Config records it.
// Gone items (deleted, not recorded) come back with Deleted set and no
// encryption read.
func ResourceFromItem(it ConfigItem) (compliance.Resource, error) {
	r := compliance.Resource{
		Type: compliance.ResourceType(it.ResourceType), ID: it.ResourceID, Name: it.ResourceName,
		ARN: it.ARN, Account: it.Account, Region: it.Region, Deleted: it.Gone(),
	}
	if r.Deleted {
		return r, nil
	}
	var err error
	switch r.Type {
	case compliance.RDSInstance:
		err = readRDS(&r, it, "db-", "DbiResourceId")
	case compliance.RDSCluster:
		err = readRDS(&r, it, "cluster-", "DbClusterResourceId")
	case compliance.DynamoDBTable:
		err = readDynamoDB(&r, it)
	case compliance.S3Bucket:
		err = readS3(&r, it)
	default:
		err = fieldErr(ErrItem, "resourceType", "scope the rule to AWS::RDS::DBInstance, AWS::RDS::DBCluster, AWS::DynamoDB::Table, AWS::S3::Bucket", "unsupported resource type %q", it.ResourceType)
	}
	return r, err
}

// flexBool accepts true/false and "true"/"false" (Config is not consistent).
type flexBool bool

func (b *flexBool) UnmarshalJSON(p []byte) error {
	var s string
	if len(p) > 0 && p[0] == '"' {
		if err := json.Unmarshal(p, &s); err != nil {
			return err
		}
		p = []byte(strings.ToLower(strings.TrimSpace(s)))
	}
	var v bool
	if err := json.Unmarshal(p, &v); err != nil {
		return err
	}
	*b = flexBool(v)
	return nil
}

// rdsConfig covers DBInstance and DBCluster items (the same names matter).
type rdsConfig struct {
	StorageEncrypted *flexBool `json:"storageEncrypted"`
	KMSKeyID         string    `json:"kmsKeyId"`
}

// readRDS: Config's resourceId for RDS is the DbiResourceId (db-…) or the
// DbClusterResourceId (cluster-…), never the identifier; the identifier is
// resourceName.
func readRDS(r *compliance.Resource, it ConfigItem, prefix, idName string) error {
	if !strings.HasPrefix(it.ResourceID, prefix) {
		return fieldErr(ErrItem, "resourceId", "Config records RDS by "+idName+"; pass the item unchanged", "%q does not start with %q", it.ResourceID, prefix)
	}
	var c rdsConfig
	if err := configuration(it, &c); err != nil {
		return err
	}
	switch {
	case c.StorageEncrypted == nil:
		return fieldErr(ErrItem, "configuration.storageEncrypted", "", "missing")
	case !bool(*c.StorageEncrypted):
		r.Encryption = compliance.EncryptionNone
	case c.KMSKeyID == "":
		return fieldErr(ErrItem, "configuration.kmsKeyId", "", "storageEncrypted is true but kmsKeyId is empty")
	default:
		r.Encryption, r.KeyRef = compliance.EncryptionKMS, c.KMSKeyID
	}
	return nil
}

// dynamoConfig: Config spells it "ssedescription" with "kmsmasterKeyArn";
// encoding/json matches names case-insensitively, so the API's
// SSEDescription / KMSMasterKeyArn decode the same way.
type dynamoConfig struct {
	SSE *struct {
		Status string `json:"status"`
		Type   string `json:"sseType"`
		KeyARN string `json:"kmsMasterKeyArn"`
	} `json:"sseDescription"`
	TableName string `json:"tableName"`
}

// readDynamoDB: no SSE description (or a disabled one) means the table is
// encrypted with an AWS-owned key, DynamoDB's default.
func readDynamoDB(r *compliance.Resource, it ConfigItem) error {
	var c dynamoConfig
	if err := configuration(it, &c); err != nil {
		return err
	}
	r.Encryption = compliance.EncryptionAWSOwned
	if c.SSE == nil || c.SSE.KeyARN == "" {
		return nil
	}
	switch strings.ToUpper(c.SSE.Status) {
	case "DISABLED", "DISABLING":
		return nil
	}
	r.Encryption, r.KeyRef = compliance.EncryptionKMS, c.SSE.KeyARN
	return nil
}

func configuration(it ConfigItem, v any) error {
	if len(it.Configuration) == 0 || string(it.Configuration) == "null" {
		return fieldErr(ErrItem, "configuration", "oversized items must be fetched with GetResourceConfigHistory first", "missing for %s", it.ResourceType)
	}
	if err := decodeAgain(it.Configuration, v); err != nil {
		return fieldErr(ErrItem, "configuration", "", "cannot decode %s configuration: %v", it.ResourceType, err)
	}
	return nil
}
