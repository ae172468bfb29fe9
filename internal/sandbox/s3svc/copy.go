package s3svc

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type copyObjectResult struct {
	XMLName       xml.Name `xml:"CopyObjectResult"`
	Xmlns         string   `xml:"xmlns,attr"`
	ETag          string
	LastModified  string
	ChecksumCRC32 string `xml:",omitempty"`
}

// parseCopySource reads x-amz-copy-source: "[/]bucket/key[?versionId=…]",
// URL-encoded.
func parseCopySource(v string) (bucket, key string, err *awsproto.Error) {
	bad := awsproto.Errorf("InvalidArgument", "Invalid copy source object key")
	path, query, _ := strings.Cut(strings.TrimPrefix(v, "/"), "?")
	if query != "" {
		q, qerr := url.ParseQuery(query)
		if qerr != nil || len(q) != 1 || !q.Has("versionId") {
			return "", "", bad
		}
	}
	raw, uerr := url.PathUnescape(path)
	if uerr != nil {
		return "", "", bad
	}
	bucket, key, ok := strings.Cut(raw, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", bad
	}
	return bucket, key, nil
}

// directive reads MetadataDirective or TaggingDirective (COPY default).
func directive(h http.Header, name, what string) (bool, *awsproto.Error) {
	switch v := h.Get(name); v {
	case "", "COPY":
		return false, nil
	case "REPLACE":
		return true, nil
	default:
		return false, awsproto.Errorf("InvalidArgument", "Unknown %s directive.", what)
	}
}

// copyObject copies a source object (decrypted through KMS as the
// requester) to the target, encrypted as the request's SSE headers or the
// target bucket's default say — never as the source was. Metadata and tags
// follow their directives; the storage class is the request's (STANDARD
// when absent), as S3 does.
func (s *Service) copyObject(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	h := c.Req.Header
	srcBucket, srcKey, srcVersion, err := parseCopySourceVersion(h.Get("x-amz-copy-source"))
	if err != nil {
		return err
	}
	replaceMeta, err := directive(h, "x-amz-metadata-directive", "metadata")
	if err != nil {
		return err
	}
	replaceTags, err := directive(h, "x-amz-tagging-directive", "tagging")
	if err != nil {
		return err
	}
	a, err := parseAttrs(h)
	if err != nil {
		return err
	}
	sse, err := parseSSE(h)
	if err != nil {
		return err
	}
	if srcBucket == t.bucket && srcKey == t.key && srcVersion == "" && !replaceMeta && h.Get("x-amz-storage-class") == "" && sse.Algorithm == "" {
		return awsproto.Errorf("InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	src, err := s.lookupVersion(c, srcBucket, srcKey, srcVersion)
	if err != nil {
		return err
	}
	if perr := copyPreconditions(h, src); perr != nil {
		return perr
	}
	body, err := s.open(c, src)
	if err != nil {
		return err
	}
	o := &object{Bucket: t.bucket, Key: t.key, ContentType: src.ContentType, Metadata: src.Metadata, Tags: src.Tags,
		StorageClass: a.storageClass}
	if replaceMeta {
		o.ContentType, o.Metadata = h.Get("Content-Type"), a.metadata
	}
	if replaceTags {
		o.Tags = a.tags
	}
	if err := s.write(c, o, sse, body); err != nil {
		return err
	}
	setSSEHeaders(w.Header(), o)
	if src.VersionID != "" {
		w.Header().Set("x-amz-copy-source-version-id", src.VersionID)
	}
	writeXML(w, c.RequestID, copyObjectResult{Xmlns: xmlns, ETag: o.ETag, LastModified: s3Time(o.LastModified), ChecksumCRC32: o.CRC32})
	return nil
}

// copyPreconditions applies x-amz-copy-source-if-match (412), which a
// re-encryption uses so that it never overwrites a newer write.
func copyPreconditions(h http.Header, src *object) *awsproto.Error {
	if m := h.Get("x-amz-copy-source-if-match"); m != "" && !etagListHas(m, src.ETag) {
		return &awsproto.Error{Status: http.StatusPreconditionFailed, Code: "PreconditionFailed",
			Message: "At least one of the pre-conditions you specified did not hold", Extra: map[string]string{"Condition": "x-amz-copy-source-If-Match"}}
	}
	return nil
}

type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr"`
	TagSet  []xmlTag `xml:"TagSet>Tag"`
}

type xmlTag struct{ Key, Value string }

func (s *Service) getObjectTagging(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	o, err := s.lookupObject(c, t.bucket, t.key)
	if err != nil {
		return err
	}
	out := tagging{Xmlns: xmlns, TagSet: []xmlTag{}}
	for _, k := range sortedKeys(o.Tags) {
		out.TagSet = append(out.TagSet, xmlTag{k, o.Tags[k]})
	}
	writeXML(w, c.RequestID, out)
	return nil
}
