package s3svc

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// uploadPart stores one part, sealed under the upload's encryption. SSE
// headers belong to CreateMultipartUpload, not to parts.
func (s *Service) uploadPart(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	if c.Req.Header.Get(hdrSSE) != "" || c.Req.Header.Get(hdrSSEKey) != "" {
		return awsproto.Errorf("InvalidArgument", "x-amz-server-side-encryption header is not supported for this operation.")
	}
	u, n, err := s.lookupUpload(c, t)
	if err != nil {
		return err
	}
	p, err := s.addPart(c, u, n, decodeChunked(c.Req, c.Body))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", p.ETag)
	setSSEHeaders(w.Header(), &p.Sealed)
	w.Header().Set("x-amz-request-id", c.RequestID)
	w.WriteHeader(http.StatusOK)
	return nil
}

// addPart seals data as part n of u and stores it (replacing an earlier
// part n, as S3 does).
func (s *Service) addPart(c *svc.Call, u *upload, n int, data []byte) (*part, *awsproto.Error) {
	p := &part{ETag: md5ETag(data), Size: int64(len(data)), LastModified: c.Now.UTC().Truncate(1e9),
		Sealed: object{Bucket: u.Bucket, Key: u.Key}}
	if err := s.seal(c, &p.Sealed, u.SSE, data); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.uploadsMap()[u.ID]
	if cur == nil {
		return nil, noSuchUpload(u.ID)
	}
	next := *cur
	next.Parts = make(map[int]*part, len(cur.Parts)+1)
	for k, v := range cur.Parts {
		next.Parts[k] = v
	}
	next.Parts[n] = p
	if err := s.env.State.Put(kindUpload, next.ID, &next); err != nil {
		return nil, &awsproto.Error{Status: 500, Code: "InternalError", Message: "the sandbox could not persist state: " + err.Error(), Server: true}
	}
	s.uploadsMap()[next.ID] = &next
	return p, nil
}

type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string
	LastModified string
}

// uploadPartCopy copies a source object, or the byte range
// x-amz-copy-source-range names, into part n: decrypted through KMS as the
// requester, sealed under the upload's key (how an object above 5 GB is
// re-encrypted in place).
func (s *Service) uploadPartCopy(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	h := c.Req.Header
	if h.Get(hdrSSE) != "" || h.Get(hdrSSEKey) != "" {
		return awsproto.Errorf("InvalidArgument", "x-amz-server-side-encryption header is not supported for this operation.")
	}
	srcBucket, srcKey, err := parseCopySource(h.Get("x-amz-copy-source"))
	if err != nil {
		return err
	}
	u, n, err := s.lookupUpload(c, t)
	if err != nil {
		return err
	}
	src, err := s.lookupObject(c, srcBucket, srcKey)
	if err != nil {
		return err
	}
	if perr := copyPreconditions(h, src); perr != nil {
		return perr
	}
	first, last, err := ParseCopyRange(h.Get("x-amz-copy-source-range"), src.Size)
	if err != nil {
		return err
	}
	body, err := s.open(c, src)
	if err != nil {
		return err
	}
	p, err := s.addPart(c, u, n, body[first:last+1])
	if err != nil {
		return err
	}
	setSSEHeaders(w.Header(), &p.Sealed)
	writeXML(w, c.RequestID, copyPartResult{Xmlns: xmlns, ETag: p.ETag, LastModified: s3Time(p.LastModified)})
	return nil
}

// ParseCopyRange reads x-amz-copy-source-range ("bytes=first-last",
// inclusive) against an object of size bytes; "" is the whole object.
func ParseCopyRange(v string, size int64) (first, last int64, err *awsproto.Error) {
	if v == "" {
		return 0, size - 1, nil
	}
	bad := awsproto.Errorf("InvalidArgument", "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
	spec, ok := strings.CutPrefix(v, "bytes=")
	a, b, ok2 := strings.Cut(spec, "-")
	if !ok || !ok2 {
		return 0, 0, bad
	}
	f, ferr := strconv.ParseInt(a, 10, 64)
	l, lerr := strconv.ParseInt(b, 10, 64)
	if ferr != nil || lerr != nil || f < 0 || l < f {
		return 0, 0, bad
	}
	if l >= size {
		return 0, 0, awsproto.Errorf("InvalidArgument", "Range specified is not valid for source object of size: %d", size)
	}
	return f, l, nil
}

type completeRequest struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber int
		ETag       string
	} `xml:"Part"`
}

type completeResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string
	Bucket   string
	Key      string
	ETag     string
}

// completeUpload joins the listed parts into the object: each part
// ascending, known with its ETag, all but the last at least 5 MiB.
func (s *Service) completeUpload(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	u, _, err := s.lookupUpload(c, t)
	if err != nil {
		return err
	}
	var req completeRequest
	if xerr := xml.Unmarshal(c.Body, &req); xerr != nil || len(req.Parts) == 0 {
		return awsproto.Errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	parts, err := chosenParts(u, req)
	if err != nil {
		return err
	}
	var body []byte
	sums := md5.New()
	for _, p := range parts {
		plain, err := s.open(c, &p.Sealed)
		if err != nil {
			return err
		}
		body = append(body, plain...)
		raw, _ := hex.DecodeString(strings.Trim(p.ETag, `"`))
		_, _ = sums.Write(raw)
	}
	o := &object{Bucket: u.Bucket, Key: u.Key, ContentType: u.ContentType, Metadata: u.Metadata, Tags: u.Tags, StorageClass: u.StorageClass}
	if err := s.write(c, o, u.SSE, body); err != nil {
		return err
	}
	etag := fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(sums.Sum(nil)), len(parts))
	if err := s.finishUpload(u.ID, o, etag); err != nil {
		return err
	}
	setSSEHeaders(w.Header(), o)
	writeXML(w, c.RequestID, completeResult{Xmlns: xmlns, Location: "/" + u.Bucket + "/" + u.Key, Bucket: u.Bucket, Key: u.Key, ETag: etag})
	return nil
}

// chosenParts checks the parts a CompleteMultipartUpload lists.
func chosenParts(u *upload, req completeRequest) ([]*part, *awsproto.Error) {
	out := make([]*part, 0, len(req.Parts))
	for i, rp := range req.Parts {
		if i > 0 && rp.PartNumber <= req.Parts[i-1].PartNumber {
			return nil, awsproto.Errorf("InvalidPartOrder", "The list of parts was not in ascending order. The parts list must be specified in order by part number.")
		}
		p := u.Parts[rp.PartNumber]
		if p == nil || strings.Trim(rp.ETag, `"`) != strings.Trim(p.ETag, `"`) {
			return nil, awsproto.Errorf("InvalidPart", "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
		}
		out = append(out, p)
	}
	for _, p := range out[:len(out)-1] {
		if p.Size < minPartSize {
			return nil, awsproto.Errorf("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
		}
	}
	return out, nil
}

// finishUpload gives the stored object its multipart ETag and forgets
// the upload.
func (s *Service) finishUpload(id string, o *object, etag string) *awsproto.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o.ETag = etag
	if err := s.store(o); err != nil {
		return err
	}
	return s.dropUpload(id)
}

// dropUpload forgets an upload; s.mu held.
func (s *Service) dropUpload(id string) *awsproto.Error {
	if err := s.env.State.Delete(kindUpload, id); err != nil {
		return &awsproto.Error{Status: 500, Code: "InternalError", Message: "the sandbox could not persist state: " + err.Error(), Server: true}
	}
	delete(s.uploadsMap(), id)
	return nil
}

func (s *Service) abortUpload(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	u, _, err := s.lookupUpload(c, t)
	if err != nil {
		return err
	}
	s.mu.Lock()
	derr := s.dropUpload(u.ID)
	s.mu.Unlock()
	if derr != nil {
		return derr
	}
	w.Header().Set("x-amz-request-id", c.RequestID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
