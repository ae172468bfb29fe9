package s3svc

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

// attrs are the object attributes a write sets besides its body and
// encryption: user metadata, tags and storage class.
type attrs struct {
	metadata     map[string]string
	tags         map[string]string
	storageClass string
}

var storageClasses = map[string]bool{
	"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true, "ONEZONE_IA": true,
	"INTELLIGENT_TIERING": true, "GLACIER": true, "DEEP_ARCHIVE": true, "GLACIER_IR": true,
}

// parseAttrs reads x-amz-meta-*, x-amz-tagging and x-amz-storage-class.
func parseAttrs(h http.Header) (attrs, *awsproto.Error) {
	var a attrs
	for name, vs := range h {
		if low := strings.ToLower(name); strings.HasPrefix(low, "x-amz-meta-") {
			if a.metadata == nil {
				a.metadata = map[string]string{}
			}
			a.metadata[strings.TrimPrefix(low, "x-amz-meta-")] = strings.Join(vs, ",")
		}
	}
	if sc := h.Get("x-amz-storage-class"); sc != "" {
		if !storageClasses[sc] {
			return a, awsproto.Errorf("InvalidStorageClass", "The storage class you specified is not valid")
		}
		if sc != "STANDARD" {
			a.storageClass = sc
		}
	}
	if raw := h.Get("x-amz-tagging"); raw != "" {
		tags, err := parseTagging(raw)
		if err != nil {
			return a, err
		}
		a.tags = tags
	}
	return a, nil
}

// parseTagging applies S3's object tag limits: at most 10 tags, keys of
// 1–128 and values of 0–256 characters, no duplicate keys.
func parseTagging(raw string) (map[string]string, *awsproto.Error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, awsproto.Errorf("InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	}
	if len(q) > 10 {
		return nil, awsproto.Errorf("BadRequest", "Object tags cannot be greater than 10")
	}
	tags := make(map[string]string, len(q))
	for k, vs := range q {
		if len(vs) != 1 {
			return nil, awsproto.Errorf("InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
		}
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
			return nil, awsproto.Errorf("InvalidTag", "The TagKey you have provided is invalid")
		}
		if utf8.RuneCountInString(vs[0]) > 256 {
			return nil, awsproto.Errorf("InvalidTag", "The TagValue you have provided is invalid")
		}
		tags[k] = vs[0]
	}
	return tags, nil
}

// setAttrHeaders writes what GetObject and HeadObject return of attrs.
func setAttrHeaders(h http.Header, o *object) {
	for k, v := range o.Metadata {
		h.Set("x-amz-meta-"+k, v)
	}
	if len(o.Tags) > 0 {
		h.Set("x-amz-tagging-count", strconv.Itoa(len(o.Tags)))
	}
	if o.StorageClass != "" {
		h.Set("x-amz-storage-class", o.StorageClass)
	}
}
