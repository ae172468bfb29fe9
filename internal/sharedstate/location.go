package sharedstate

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// ErrBadLocation: a state location that is not s3://bucket[/prefix].
var ErrBadLocation = errors.New("bad state location")

// Location is s3://Bucket/Prefix. Prefix has no leading or trailing slash.
type Location struct {
	Bucket string
	Prefix string
}

var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// ParseLocation parses s3://bucket[/prefix]. The bucket must be a valid S3
// bucket name; the prefix may not hold empty, "." or ".." segments.
func ParseLocation(s string) (Location, error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return Location{}, fmt.Errorf("%w %q: expected s3://bucket/prefix (e.g. s3://byok-state-111111111111/prod)", ErrBadLocation, s)
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	if !bucketName.MatchString(bucket) || strings.Contains(bucket, "..") {
		return Location{}, fmt.Errorf("%w %q: %q is not an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)", ErrBadLocation, s, bucket)
	}
	prefix = strings.TrimSuffix(prefix, "/")
	if prefix != "" {
		for _, seg := range strings.Split(prefix, "/") {
			if seg == "" || seg == "." || seg == ".." {
				return Location{}, fmt.Errorf("%w %q: the prefix has an empty, \".\" or \"..\" segment", ErrBadLocation, s)
			}
		}
		if len(prefix) > 512 {
			return Location{}, fmt.Errorf("%w %q: the prefix is longer than 512 bytes", ErrBadLocation, s)
		}
	}
	return Location{Bucket: bucket, Prefix: prefix}, nil
}

// String is the location as ParseLocation reads it.
func (l Location) String() string {
	if l.Prefix == "" {
		return "s3://" + l.Bucket
	}
	return "s3://" + l.Bucket + "/" + l.Prefix
}

// key is the object key of parts under the prefix.
func (l Location) key(parts ...string) string {
	return path.Join(append([]string{l.Prefix}, parts...)...)
}

// lockKey names a key ARN's lock object: locks/REGION/ACCOUNT/KEY-ID.json
// for a KMS key ARN, the ARN's escaped form otherwise.
func (l Location) lockKey(keyARN string) string {
	p := strings.SplitN(keyARN, ":", 6)
	if len(p) == 6 && p[0] == "arn" && p[2] == "kms" && strings.HasPrefix(p[5], "key/") {
		return l.key("locks", p[3], p[4], strings.TrimPrefix(p[5], "key/")+".json")
	}
	return l.key("locks", "other", strings.NewReplacer("/", "_", ":", "_").Replace(keyARN)+".json")
}
