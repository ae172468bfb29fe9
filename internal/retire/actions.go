package retire

// readActions are the IAM actions behind each call the evidence makes in
// a consumer account through its verify role (deploy/member-account.yaml
// VerifyRole grants them; deploy's tests check it). HeadObject is
// authorised by s3:GetObject, ListObjectVersions by s3:ListBucketVersions.
var readActions = map[string]string{
	"LookupEvents":               "cloudtrail:LookupEvents",
	"ListObjectVersions":         "s3:ListBucketVersions",
	"HeadObject":                 "s3:GetObject",
	"DescribeDBSnapshots":        "rds:DescribeDBSnapshots",
	"DescribeDBClusterSnapshots": "rds:DescribeDBClusterSnapshots",
}

// ReadActions lists the IAM actions byok retire needs in every consumer
// account's verify role (besides the scan's inventory actions).
func ReadActions() []string {
	out := make([]string, 0, len(readActions))
	for _, a := range readActions {
		out = append(out, a)
	}
	return out
}
