package configrule

import (
	"strings"

	"github.com/byok-dev/byok/internal/compliance"
)

// s3Encryption is supplementaryConfiguration.ServerSideEncryptionConfiguration.
type s3Encryption struct {
	Rules []struct {
		Default *struct {
			Algorithm string `json:"sseAlgorithm"`
			KeyID     string `json:"kmsMasterKeyID"`
		} `json:"applyServerSideEncryptionByDefault"`
	} `json:"rules"`
}

// awsManagedS3Alias is the key S3 uses for aws:kms without a key ID.
const awsManagedS3Alias = "alias/aws/s3"

// readS3 reads the bucket's default encryption. A bucket with no
// default-encryption record is EncryptionNone (UNENCRYPTED), exactly as
// `byok scan` reads a bucket whose GetBucketEncryption answers
// ServerSideEncryptionConfigurationNotFoundError: the two deliveries of the
// evaluator must not disagree, even on the reason. (Since January 2023 S3
// applies SSE-S3 to new objects of every bucket, so such a record is rare:
// a bucket Config captured without it. Either way it is NON_COMPLIANT.)
func readS3(r *compliance.Resource, it ConfigItem) error {
	r.Encryption = compliance.EncryptionNone
	raw, err := lookupFold(it.Supplementary, "ServerSideEncryptionConfiguration")
	if err != nil {
		return fieldErr(ErrItem, "supplementaryConfiguration", "", "cannot decode: %v", err)
	}
	var enc s3Encryption
	if err := decodeAgain(raw, &enc); err != nil {
		return fieldErr(ErrItem, "supplementaryConfiguration.ServerSideEncryptionConfiguration", "", "cannot decode: %v", err)
	}
	for _, rule := range enc.Rules {
		if rule.Default == nil {
			continue
		}
		switch alg := strings.ToLower(rule.Default.Algorithm); {
		case strings.HasPrefix(alg, "aws:kms"): // aws:kms and aws:kms:dsse
			r.Encryption, r.KeyRef = compliance.EncryptionKMS, rule.Default.KeyID
			if r.KeyRef == "" {
				r.KeyRef = awsManagedS3Alias
			}
			return nil
		case alg == "aes256":
			r.Encryption = compliance.EncryptionSSES3
		default:
			return fieldErr(ErrItem, "supplementaryConfiguration.ServerSideEncryptionConfiguration.rules[].applyServerSideEncryptionByDefault.sseAlgorithm",
				"S3 knows AES256, aws:kms and aws:kms:dsse", "unknown algorithm %q", rule.Default.Algorithm)
		}
	}
	return nil
}
