package sigv4

import (
	"net/http"
	"testing"
)

// BenchmarkCanonicalRequest builds the canonical request of a CopyObject
// as the SDK signs it:
// go test -run '^$' -bench CanonicalRequest ./internal/sandbox/sigv4/
func BenchmarkCanonicalRequest(b *testing.B) {
	r, _ := http.NewRequest(http.MethodPut, "http://127.0.0.1:4566/bench-100k/obj/0000042?x-id=CopyObject", nil)
	h := map[string]string{"Amz-Sdk-Invocation-Id": "0b5c6c5e-1b7e-4c55-9f5d-3f3a2a2b9e11", "Amz-Sdk-Request": "attempt=1; max=3",
		"X-Amz-Copy-Source": "bench-100k/obj/0000042", "X-Amz-Copy-Source-If-Match": `"9e107d9d372bb6826bd81d3542a419d6"`,
		"X-Amz-Date": "20261205T230000Z", "X-Amz-Metadata-Directive": "COPY", "X-Amz-Server-Side-Encryption": "aws:kms",
		"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id":     "arn:aws:kms:eu-west-1:333333333333:key/56fca8ae-1ba6-498b-8cee-9334d173b148",
		"X-Amz-Server-Side-Encryption-Bucket-Key-Enabled": "true", "X-Amz-Storage-Class": "STANDARD", "X-Amz-Tagging-Directive": "COPY",
		"X-Amz-Content-Sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}
	for k, v := range h {
		r.Header.Set(k, v)
	}
	signed := []string{"amz-sdk-invocation-id", "amz-sdk-request", "host", "x-amz-content-sha256", "x-amz-copy-source",
		"x-amz-copy-source-if-match", "x-amz-date", "x-amz-metadata-directive", "x-amz-server-side-encryption",
		"x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-bucket-key-enabled",
		"x-amz-storage-class", "x-amz-tagging-directive"}
	b.ReportAllocs()
	for b.Loop() {
		_ = canonicalRequest(r, h["X-Amz-Content-Sha256"], signed, true)
	}
}
