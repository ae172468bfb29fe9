package s3svc

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type xmlBucket struct {
	Name         string
	CreationDate string
	BucketRegion string
	BucketArn    string
}

type listBucketsResult struct {
	XMLName           xml.Name    `xml:"ListAllMyBucketsResult"`
	Xmlns             string      `xml:"xmlns,attr"`
	OwnerID           string      `xml:"Owner>ID"`
	Buckets           []xmlBucket `xml:"Buckets>Bucket"`
	ContinuationToken string      `xml:",omitempty"`
	Prefix            string      `xml:",omitempty"`
}

// listBuckets lists the caller's buckets in every Region, in name order;
// max-buckets (1–10000) pages them with a continuation token.
func (s *Service) listBuckets(w http.ResponseWriter, c *svc.Call, _ target) *awsproto.Error {
	q := c.Req.URL.Query()
	max := 10000
	if v := q.Get("max-buckets"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return awsproto.Errorf("InvalidArgument", "Argument max-buckets must be an integer between 1 and 10000.")
		}
		max = n
	}
	after := ""
	if tok := q.Get("continuation-token"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(raw) == 0 {
			return awsproto.Errorf("InvalidArgument", "The continuation token provided is incorrect")
		}
		after = string(raw)
	}
	names := s.listNames(c.Caller.Account, q.Get("prefix"), q.Get("bucket-region"), after)
	out := listBucketsResult{Xmlns: xmlns, OwnerID: canonicalID(c.Caller.Account), Prefix: q.Get("prefix")}
	if len(names) > max {
		names = names[:max]
		out.ContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(names[max-1]))
	}
	s.mu.RLock()
	for _, n := range names {
		if b := s.buckets[n]; b != nil {
			out.Buckets = append(out.Buckets, xmlBucket{Name: n, CreationDate: s3Time(b.CreatedAt), BucketRegion: b.Region,
				BucketArn: "arn:" + s.env.Partition + ":s3:::" + n})
		}
	}
	s.mu.RUnlock()
	writeXML(w, c.RequestID, out)
	return nil
}

func (s *Service) listNames(account, prefix, region, after string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var names []string
	for n, b := range s.buckets {
		if b.Account == account && n > after && strings.HasPrefix(n, prefix) && (region == "" || b.Region == region) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

type createBucketConfiguration struct {
	LocationConstraint string
}

// createBucket: us-east-1 takes no LocationConstraint; every other Region
// requires its own.
func (s *Service) createBucket(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	if !validBucketName(t.bucket) {
		return &awsproto.Error{Status: http.StatusBadRequest, Code: "InvalidBucketName", Message: "The specified bucket is not valid.",
			Extra: map[string]string{"BucketName": t.bucket}}
	}
	var cfg createBucketConfiguration
	if len(c.Body) > 0 {
		if err := xml.Unmarshal(c.Body, &cfg); err != nil {
			return malformedXML()
		}
	}
	if err := checkLocation(c.Region, cfg.LocationConstraint); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.buckets[t.bucket]; b != nil {
		if b.Account != c.Caller.Account {
			return &awsproto.Error{Status: http.StatusConflict, Code: "BucketAlreadyExists",
				Message: "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
				Extra:   map[string]string{"BucketName": t.bucket}}
		}
		if c.Region != "us-east-1" || b.Region != "us-east-1" {
			return &awsproto.Error{Status: http.StatusConflict, Code: "BucketAlreadyOwnedByYou",
				Message: "Your previous request to create the named bucket succeeded and you already own it.",
				Extra:   map[string]string{"BucketName": t.bucket}}
		}
	} else {
		b := &bucket{Name: t.bucket, Account: c.Caller.Account, Region: c.Region, Encryption: defaultEncryption(),
			CreatedAt: c.Now, ChangedAt: c.Now}
		if err := s.persist(b); err != nil {
			return err
		}
		s.buckets[b.Name] = b
	}
	w.Header().Set("Location", "/"+t.bucket)
	w.Header().Set("x-amz-request-id", c.RequestID)
	w.WriteHeader(http.StatusOK)
	return nil
}

func checkLocation(region, constraint string) *awsproto.Error {
	switch {
	case region == "us-east-1" && constraint == "":
		return nil
	case region == "us-east-1":
		return awsproto.Errorf("InvalidLocationConstraint", "The specified location-constraint is not valid")
	case constraint == "":
		return awsproto.Errorf("IllegalLocationConstraintException",
			"The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	case constraint != region:
		return awsproto.Errorf("IllegalLocationConstraintException",
			"The %s location constraint is incompatible for the region specific endpoint this request was sent to.", constraint)
	}
	return nil
}

func malformedXML() *awsproto.Error {
	return awsproto.Errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
}

// headBucket answers 200 with the bucket's Region, 301 from the wrong
// Region, 403 for another account's bucket and 404 when missing. Like
// S3, every answer for an existing bucket names its Region in
// x-amz-bucket-region, whatever the caller may do with the bucket (the
// documented way to discover a bucket's Region).
func (s *Service) headBucket(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	s.mu.RLock()
	b, err := s.owned(c, t.bucket, true)
	if err != nil && s.buckets[t.bucket] != nil {
		err.Extra = map[string]string{"Region": s.buckets[t.bucket].Region}
	}
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	w.Header().Set("x-amz-bucket-region", b.Region)
	w.Header().Set("x-amz-request-id", c.RequestID)
	if b.Region != c.Region {
		w.WriteHeader(http.StatusMovedPermanently)
		return nil
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

type locationResult struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Value   string   `xml:",chardata"`
}

// getLocation works from any Region; us-east-1 reads as empty.
func (s *Service) getLocation(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	s.mu.RLock()
	b, err := s.owned(c, t.bucket, true)
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	loc := b.Region
	if loc == "us-east-1" {
		loc = ""
	}
	writeXML(w, c.RequestID, locationResult{Xmlns: xmlns, Value: loc})
	return nil
}

func (s *Service) deleteBucket(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.owned(c, t.bucket, false)
	if err != nil {
		return err
	}
	if s.hasObjects(b.Name) {
		return &awsproto.Error{Status: http.StatusConflict, Code: "BucketNotEmpty", Message: "The bucket you tried to delete is not empty",
			Extra: map[string]string{"BucketName": b.Name}}
	}
	if derr := s.env.State.Delete(kindBucket, b.Name); derr != nil {
		return &awsproto.Error{Status: 500, Code: "InternalError", Message: "the sandbox could not persist state: " + derr.Error(), Server: true}
	}
	delete(s.buckets, b.Name)
	w.Header().Set("x-amz-request-id", c.RequestID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
