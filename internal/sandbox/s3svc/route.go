package s3svc

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

// target is what a request addresses: a bucket (maybe none), an object key
// and the operation.
type target struct {
	bucket, key, op string
}

// bucketFromHost returns the bucket of a virtual-hosted request
// (bucket.s3.region.amazonaws.com, bucket.localhost:port), or "" for
// path-style hosts (IP addresses, localhost, s3.…).
func bucketFromHost(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	if net.ParseIP(host) != nil || host == "localhost" || strings.HasPrefix(host, "s3.") || strings.HasPrefix(host, "s3-") {
		return ""
	}
	if b, ok := strings.CutSuffix(host, ".localhost"); ok {
		return b
	}
	for _, sep := range []string{".s3.", ".s3-"} {
		if i := strings.Index(host, sep); i > 0 {
			return host[:i]
		}
	}
	return ""
}

// route names the operation of r.
func route(r *http.Request) (target, *awsproto.Error) {
	path := r.URL.EscapedPath()
	var t target
	if b := bucketFromHost(r.Host); b != "" {
		t.bucket, t.key = b, strings.TrimPrefix(path, "/")
	} else {
		rest := strings.TrimPrefix(path, "/")
		t.bucket, t.key, _ = strings.Cut(rest, "/")
	}
	var err error
	if t.bucket, err = url.PathUnescape(t.bucket); err != nil {
		return t, awsproto.Errorf("InvalidURI", "Couldn't parse the specified URI.")
	}
	if t.key, err = url.PathUnescape(t.key); err != nil {
		return t, awsproto.Errorf("InvalidURI", "Couldn't parse the specified URI.")
	}
	t.op = operation(r, t, r.URL.Query())
	if t.op == "" {
		return t, &awsproto.Error{Status: http.StatusNotImplemented, Code: "NotImplemented",
			Message: "A header you provided implies functionality that is not implemented"}
	}
	return t, nil
}

func operation(r *http.Request, t target, q url.Values) string {
	if op := extraOperation(r, t, q); op != "" {
		return op
	}
	method := r.Method
	switch {
	case t.bucket == "":
		if method == http.MethodGet {
			return "ListBuckets"
		}
		return ""
	case t.key != "" && q.Has("tagging"):
		if method == http.MethodGet {
			return "GetObjectTagging"
		}
		return ""
	case t.key != "" && method == http.MethodPut && r.Header.Get("x-amz-copy-source") != "" && onlyIgnored(q):
		return "CopyObject"
	case t.key != "":
		if len(q) > 0 && !onlyIgnored(q) {
			return "" // object subresources (?tagging, ?acl, …) are not served
		}
		return map[string]string{http.MethodPut: "PutObject", http.MethodGet: "GetObject", http.MethodHead: "HeadObject",
			http.MethodDelete: "DeleteObject"}[method]
	case q.Has("encryption"):
		return map[string]string{http.MethodGet: "GetBucketEncryption", http.MethodPut: "PutBucketEncryption",
			http.MethodDelete: "DeleteBucketEncryption"}[method]
	case q.Has("location"):
		if method == http.MethodGet {
			return "GetBucketLocation"
		}
		return ""
	case method == http.MethodGet && q.Get("list-type") == "2":
		return "ListObjectsV2"
	case len(q) > 0 && !onlyIgnored(q):
		return ""
	}
	return map[string]string{http.MethodPut: "CreateBucket", http.MethodHead: "HeadBucket",
		http.MethodDelete: "DeleteBucket"}[method]
}

// onlyIgnored: query parameters the SDK may add that do not select a
// subresource.
func onlyIgnored(q url.Values) bool {
	for k := range q {
		if k != "x-id" {
			return false
		}
	}
	return true
}
