package s3svc

import (
	"net/http"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/faults"
)

// Quotas are S3's documented request rates: 5,500 GET/HEAD and 3,500
// PUT/DELETE requests per second (per prefix in AWS; here per account and
// Region, which bounds the bucket-level calls byok makes).
func Quotas() []faults.Quota {
	return []faults.Quota{
		{Name: "get", PerSecond: 5500, Ops: []string{"ListBuckets", "HeadBucket", "GetBucketLocation", "GetBucketEncryption", "GetObject", "HeadObject"}},
		{Name: "put", PerSecond: 3500, Ops: []string{"CreateBucket", "DeleteBucket", "PutBucketEncryption", "DeleteBucketEncryption", "PutObject", "DeleteObject"}},
	}
}

// ThrottleError is S3's 503 SlowDown.
func ThrottleError() *awsproto.Error {
	return &awsproto.Error{Status: http.StatusServiceUnavailable, Code: "SlowDown", Message: "Please reduce your request rate.", Server: true}
}
