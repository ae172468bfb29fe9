package s3svc

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/configsvc"
)

// configBucket is AWS::S3::Bucket's configuration as Config records it.
type configBucket struct {
	Name         string      `json:"name"`
	Owner        configOwner `json:"owner"`
	CreationDate string      `json:"creationDate"`
}

type configOwner struct {
	DisplayName *string `json:"displayName"`
	ID          string  `json:"id"`
}

// Config's ServerSideEncryptionConfiguration supplementary value.
type configSSE struct {
	Rules []configSSERule `json:"rules"`
}

type configSSERule struct {
	Default          configSSEDefault `json:"applyServerSideEncryptionByDefault"`
	BucketKeyEnabled bool             `json:"bucketKeyEnabled"`
}

type configSSEDefault struct {
	SSEAlgorithm   string  `json:"sseAlgorithm"`
	KMSMasterKeyID *string `json:"kmsMasterKeyID"`
}

// Items implements configsvc.Source: the account's buckets whose Region is
// region. Supplementary values are JSON text, as Config stores them.
func (s *Service) Items(account, region string) []configsvc.Item {
	s.mu.RLock()
	var bs []bucket
	for _, b := range s.buckets {
		if b.Account == account && b.Region == region {
			bs = append(bs, *b)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(bs, func(a, b bucket) int { return strings.Compare(a.Name, b.Name) })
	out := make([]configsvc.Item, 0, len(bs))
	for i := range bs {
		out = append(out, s.item(&bs[i]))
	}
	return out
}

func (s *Service) item(b *bucket) configsvc.Item {
	return BucketItem(BucketState{Partition: s.env.Partition, Account: b.Account, Region: b.Region, Name: b.Name,
		OwnerID: canonicalID(b.Account), CreatedAt: b.CreatedAt, ChangedAt: b.ChangedAt, Encryption: b.Encryption,
		Versioning: b.Versioning})
}

// BucketState is what AWS Config records of a bucket: the sandbox's own
// buckets, or a real bucket read through S3's API (ListBuckets,
// GetBucketEncryption) by a test that builds the change notification
// Config would send for it.
type BucketState struct {
	Partition, Account, Region, Name string
	OwnerID                          string // canonical user ID
	CreatedAt, ChangedAt             time.Time
	Encryption                       *Encryption // nil: no default-encryption record
	Versioning                       string      // "", Enabled or Suspended (GetBucketVersioning's Status)
}

// BucketItem renders b as AWS Config records an AWS::S3::Bucket, from
// the resource schema: supplementary values are JSON text, as Config
// stores them.
func BucketItem(b BucketState) configsvc.Item {
	cfg := configBucket{Name: b.Name, Owner: configOwner{ID: b.OwnerID}, CreationDate: s3Time(b.CreatedAt)}
	sup := map[string]string{
		"BucketVersioningConfiguration": `{"status":"` + versioningStatus(b) + `","isMfaDeleteEnabled":null}`,
		"IsRequesterPaysEnabled":        "false",
	}
	if b.Encryption != nil {
		rule := configSSERule{Default: configSSEDefault{SSEAlgorithm: b.Encryption.Algorithm}, BucketKeyEnabled: b.Encryption.BucketKeyEnabled}
		if b.Encryption.KMSMasterKeyID != "" {
			k := b.Encryption.KMSMasterKeyID
			rule.Default.KMSMasterKeyID = &k
		}
		raw, _ := json.Marshal(configSSE{Rules: []configSSERule{rule}})
		sup["ServerSideEncryptionConfiguration"] = string(raw)
	}
	return configsvc.Item{ResourceType: configsvc.TypeBucket, ResourceID: b.Name, ResourceName: b.Name,
		ARN: "arn:" + b.Partition + ":s3:::" + b.Name, Account: b.Account, Region: b.Region,
		AvailabilityZone: "Regional", CreatedAt: b.CreatedAt, ChangedAt: b.ChangedAt,
		Configuration: configsvc.MustJSON(cfg), Supplementary: sup, Tags: map[string]string{}}
}

// versioningStatus is the bucket's versioning as Config spells it.
func versioningStatus(b BucketState) string {
	if b.Versioning == "" {
		return "Off"
	}
	return b.Versioning
}
