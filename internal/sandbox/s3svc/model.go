package s3svc

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Encryption is a bucket's default encryption rule, as PutBucketEncryption
// sets it. KMSMasterKeyID is kept exactly as given.
type Encryption struct {
	Algorithm        string `json:"algorithm"` // AES256, aws:kms, aws:kms:dsse
	KMSMasterKeyID   string `json:"kmsMasterKeyId,omitempty"`
	BucketKeyEnabled bool   `json:"bucketKeyEnabled"`
}

// bucket is a bucket as the sandbox stores it. Encryption nil is a bucket
// created before 2023 that never had default encryption (admin seed only).
type bucket struct {
	Name       string      `json:"name"`
	Account    string      `json:"account"`
	Region     string      `json:"region"`
	Encryption *Encryption `json:"encryption,omitempty"`
	// Versioning is "" (never enabled), Enabled or Suspended.
	Versioning string `json:"versioning,omitempty"`
	// ObjectLock is set by PutObjectLockConfiguration (needs versioning).
	ObjectLock bool      `json:"objectLock,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	ChangedAt  time.Time `json:"changedAt"`
}

// defaultEncryption is what S3 applies to every new bucket since January
// 2023: SSE-S3.
func defaultEncryption() *Encryption { return &Encryption{Algorithm: "AES256"} }

// canonicalID is the account's S3 canonical user ID (64 hex chars).
func canonicalID(account string) string {
	h := sha256.Sum256([]byte("s3-canonical/" + account))
	return hex.EncodeToString(h[:])
}

func s3Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// validBucketName applies S3's general purpose bucket naming rules.
func validBucketName(n string) bool {
	if len(n) < 3 || len(n) > 63 || !alnum(n[0]) || !alnum(n[len(n)-1]) {
		return false
	}
	dots := 0
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case alnum(c), c == '-':
		case c == '.':
			if n[i-1] == '.' || n[i-1] == '-' || n[i+1] == '-' {
				return false
			}
			dots++
		default:
			return false
		}
	}
	return dots != 3 || !looksLikeIP(n)
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func looksLikeIP(n string) bool {
	for i := 0; i < len(n); i++ {
		if n[i] != '.' && (n[i] < '0' || n[i] > '9') {
			return false
		}
	}
	return true
}
