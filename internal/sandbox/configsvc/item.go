package configsvc

import (
	"encoding/json"
	"time"
)

// Resource types Config records for the sandbox's services.
const (
	TypeDBInstance = "AWS::RDS::DBInstance"
	TypeDBCluster  = "AWS::RDS::DBCluster"
	TypeTable      = "AWS::DynamoDB::Table"
	TypeBucket     = "AWS::S3::Bucket"
)

// Item is one resource's live state, shaped as AWS Config records it: the
// configuration object with the AWS Config resource schema's field names
// (e.g. dBInstanceIdentifier, dbclusterIdentifier, ssedescription.ssetype)
// and each supplementary value as JSON text. The history and batch APIs
// return those values as JSON strings (S3's ServerSideEncryptionConfiguration
// double-encoded); change notifications carry them as JSON values.
type Item struct {
	ResourceType     string
	ResourceID       string // RDS: DbiResourceId / DbClusterResourceId; table and bucket: the name
	ResourceName     string
	ARN              string
	Account          string
	Region           string
	AvailabilityZone string
	CreatedAt        time.Time
	// ChangedAt is when the resource reached this state; Config records a
	// new configuration item whenever it moves.
	ChangedAt     time.Time
	Configuration json.RawMessage
	Supplementary map[string]string
	Tags          map[string]string
}

// Source is a sandbox service whose resources Config records: it lists the
// live resources of one account and Region. Implemented by the RDS,
// DynamoDB and S3 services.
type Source interface {
	Items(account, region string) []Item
}

// MustJSON marshals v for an Item's Configuration; the values sources pass
// are plain structs that always marshal.
func MustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("configsvc: configuration does not marshal: " + err.Error())
	}
	return b
}
