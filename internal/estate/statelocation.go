package estate

import (
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// stateBucket is an S3 bucket name as state_location may name it (the
// CLI parses the location again with package sharedstate, which owns it).
var stateBucket = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// stateLocation reads state_location: s3://bucket[/prefix].
func (p *parser) stateLocation(n *yaml.Node, field string) string {
	s, ok := p.scalar(n, field)
	if !ok {
		return ""
	}
	rest, isS3 := strings.CutPrefix(s, "s3://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	bad := !isS3 || !stateBucket.MatchString(bucket) || strings.Contains(bucket, "..") ||
		strings.Contains("/"+strings.TrimSuffix(prefix, "/")+"/", "//") && prefix != "" ||
		strings.Contains("/"+prefix+"/", "/../") || strings.Contains("/"+prefix+"/", "/./")
	if bad {
		p.fail(n, field, ErrStateLocation, "write s3://BUCKET/PREFIX, a bucket in the Security account (e.g. s3://byok-state-111111111111/prod)",
			"state_location %q is not s3://bucket/prefix with a valid bucket name", s)
		return ""
	}
	return s
}
