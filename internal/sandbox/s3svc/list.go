package s3svc

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type xmlContent struct {
	Key               string
	LastModified      string
	ETag              string
	ChecksumAlgorithm string `xml:",omitempty"`
	ChecksumType      string `xml:",omitempty"`
	Size              int64
	StorageClass      string
}

type xmlPrefix struct{ Prefix string }

type listObjectsV2Result struct {
	XMLName               xml.Name `xml:"ListBucketResult"`
	Xmlns                 string   `xml:"xmlns,attr"`
	Name                  string
	Prefix                string
	Delimiter             string `xml:",omitempty"`
	StartAfter            string `xml:",omitempty"`
	MaxKeys               int
	KeyCount              int
	IsTruncated           bool
	EncodingType          string       `xml:",omitempty"`
	ContinuationToken     string       `xml:",omitempty"`
	NextContinuationToken string       `xml:",omitempty"`
	Contents              []xmlContent `xml:"Contents"`
	CommonPrefixes        []xmlPrefix  `xml:"CommonPrefixes"`
}

// listQuery is a validated ListObjectsV2 request.
type listQuery struct {
	prefix, delimiter, startAfter, token, encoding string
	after                                          string // resume strictly after this key or common prefix
	max                                            int
}

func parseListQuery(q url.Values) (listQuery, *awsproto.Error) {
	l := listQuery{prefix: q.Get("prefix"), delimiter: q.Get("delimiter"), startAfter: q.Get("start-after"),
		token: q.Get("continuation-token"), encoding: q.Get("encoding-type"), max: 1000}
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return l, awsproto.Errorf("InvalidArgument", "Provided max-keys not an integer or within integer range")
		}
		l.max = min(n, 1000)
	}
	if l.encoding != "" && l.encoding != "url" {
		return l, awsproto.Errorf("InvalidArgument", "Invalid Encoding Method specified in Request")
	}
	l.after = l.startAfter
	if q.Has("continuation-token") {
		raw, err := base64.RawURLEncoding.DecodeString(l.token)
		if err != nil || len(raw) < 2 || raw[0] != 'v' {
			return l, awsproto.Errorf("InvalidArgument", "The continuation token provided is incorrect")
		}
		l.after = string(raw[1:])
	}
	return l, nil
}

func continuationToken(after string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v" + after))
}

// listObjectsV2 pages the bucket's keys in order, max-keys (≤ 1000) at a
// time, grouping keys under CommonPrefixes when a delimiter is given.
func (s *Service) listObjectsV2(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	l, err := parseListQuery(c.Req.URL.Query())
	if err != nil {
		return err
	}
	s.mu.RLock()
	_, err = s.owned(c, t.bucket, false)
	var out listObjectsV2Result
	if err == nil {
		out = s.listPage(t.bucket, l)
	}
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	writeXML(w, c.RequestID, out)
	return nil
}

// listPage builds one page. The continuation token is the last key (or,
// past a common prefix, the greatest key it can hold), so a page never
// depends on server memory. s.mu held.
func (s *Service) listPage(bucket string, l listQuery) listObjectsV2Result {
	out := listObjectsV2Result{Xmlns: xmlns, Name: bucket, Prefix: l.prefix, Delimiter: l.delimiter, StartAfter: l.startAfter,
		MaxKeys: l.max, EncodingType: l.encoding, ContinuationToken: l.token, Contents: []xmlContent{}}
	after := l.after
	for out.KeyCount < l.max {
		keys := s.keysAfter(bucket, l.prefix, after, l.max-out.KeyCount)
		if len(keys) == 0 {
			break
		}
		for _, k := range keys {
			if cp, ok := commonPrefix(k, l.prefix, l.delimiter); ok {
				out.CommonPrefixes = append(out.CommonPrefixes, xmlPrefix{cp})
				out.KeyCount++
				after = cp + "\U0010FFFF" // past every key under cp
				break                     // refetch from there
			}
			out.Contents = append(out.Contents, s.content(bucket, k))
			out.KeyCount++
			after = k
		}
	}
	out.IsTruncated = l.max > 0 && out.KeyCount == l.max && len(s.keysAfter(bucket, l.prefix, after, 1)) > 0
	if out.IsTruncated {
		out.NextContinuationToken = continuationToken(after)
	}
	return s.encodeKeys(out, l)
}

func commonPrefix(key, prefix, delimiter string) (string, bool) {
	if delimiter == "" {
		return "", false
	}
	i := strings.Index(key[len(prefix):], delimiter)
	if i < 0 {
		return "", false
	}
	return key[:len(prefix)+i+len(delimiter)], true
}

func (s *Service) content(bucket, key string) xmlContent {
	o := s.objects[objectID(bucket, key)]
	sc := o.StorageClass
	if sc == "" {
		sc = "STANDARD"
	}
	return xmlContent{Key: key, LastModified: s3Time(o.LastModified), ETag: o.ETag, Size: o.Size, StorageClass: sc,
		ChecksumAlgorithm: "CRC32", ChecksumType: "FULL_OBJECT"}
}

// encodeKeys applies encoding-type=url to keys and prefixes, as S3 does.
func (s *Service) encodeKeys(out listObjectsV2Result, l listQuery) listObjectsV2Result {
	if l.encoding != "url" {
		return out
	}
	enc := func(v string) string { return strings.ReplaceAll(url.QueryEscape(v), "%2F", "/") }
	out.Prefix, out.Delimiter, out.StartAfter = enc(out.Prefix), enc(out.Delimiter), enc(out.StartAfter)
	for i := range out.Contents {
		out.Contents[i].Key = enc(out.Contents[i].Key)
	}
	for i := range out.CommonPrefixes {
		out.CommonPrefixes[i].Prefix = enc(out.CommonPrefixes[i].Prefix)
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
