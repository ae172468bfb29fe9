package s3svc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	kmssvc "github.com/byok-dev/byok/internal/sandbox/kmssvc"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// Keys is the KMS S3 calls on the requester's behalf for SSE-KMS
// (implemented by the sandbox's KMS service). Its events carry
// userIdentity.invokedBy = s3.amazonaws.com.
type Keys interface {
	GenerateDataKeyFor(caller svc.Call, invokedBy, ref string, encCtx map[string]string) (kmssvc.DataKey, error)
	DecryptFor(caller svc.Call, invokedBy string, blob []byte, encCtx map[string]string) ([]byte, string, error)
}

const (
	invokedBy    = "s3.amazonaws.com"
	awsS3Alias   = "alias/aws/s3"
	hdrSSE       = "x-amz-server-side-encryption"
	hdrSSEKey    = "x-amz-server-side-encryption-aws-kms-key-id"
	hdrSSECtx    = "x-amz-server-side-encryption-context"
	hdrBucketKey = "x-amz-server-side-encryption-bucket-key-enabled"
)

// UseKMS lets S3 encrypt objects with SSE-KMS through keys. Without it,
// SSE-KMS writes fail with KMS.NotFoundException.
func (s *Service) UseKMS(keys Keys) { s.keys = keys }

// sseRequest is the encryption a write asks for, before defaults apply.
type sseRequest struct {
	Algorithm string // "" when the request names none
	KeyID     string
	Context   map[string]string
	BucketKey *bool
}

// parseSSE reads the SSE headers of PutObject, CopyObject and
// CreateMultipartUpload, refusing the combinations S3 refuses.
func parseSSE(h http.Header) (sseRequest, *awsproto.Error) {
	r := sseRequest{Algorithm: h.Get(hdrSSE), KeyID: h.Get(hdrSSEKey)}
	switch r.Algorithm {
	case "", "AES256", "aws:kms", "aws:kms:dsse":
	default:
		return r, awsproto.Errorf("InvalidArgument", "The encryption method specified is not supported")
	}
	if (r.KeyID != "" || h.Get(hdrSSECtx) != "") && !strings.HasPrefix(r.Algorithm, "aws:kms") {
		return r, awsproto.Errorf("InvalidArgument", "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")
	}
	if v := h.Get(hdrBucketKey); v != "" {
		b := strings.EqualFold(v, "true")
		if !b && !strings.EqualFold(v, "false") {
			return r, awsproto.Errorf("InvalidArgument", "x-amz-server-side-encryption-bucket-key-enabled must be true or false")
		}
		r.BucketKey = &b
	}
	if v := h.Get(hdrSSECtx); v != "" {
		raw, err := base64.StdEncoding.DecodeString(v)
		if err == nil {
			err = json.Unmarshal(raw, &r.Context)
		}
		if err != nil {
			return r, awsproto.Errorf("InvalidArgument", "The header 'x-amz-server-side-encryption-context' must be base64-encoded UTF-8 JSON")
		}
		if _, ok := r.Context["aws:s3:arn"]; ok {
			return r, awsproto.Errorf("InvalidArgument", "Encryption context cannot contain reserved key aws:s3:arn")
		}
	}
	return r, nil
}

// effective applies the bucket's default encryption where the request
// names none: S3 uses the default key for aws:kms without a key ID only
// when the request itself named no algorithm; otherwise aws/s3.
func (r sseRequest) effective(def *Encryption) sseRequest {
	if r.Algorithm == "" && def != nil {
		r.Algorithm, r.KeyID = def.Algorithm, def.KMSMasterKeyID
		if r.BucketKey == nil {
			bk := def.BucketKeyEnabled
			r.BucketKey = &bk
		}
	}
	if r.Algorithm == "" {
		r.Algorithm = "AES256"
	}
	if strings.HasPrefix(r.Algorithm, "aws:kms") && r.KeyID == "" {
		r.KeyID = awsS3Alias
	}
	return r
}

func (r sseRequest) kms() bool { return strings.HasPrefix(r.Algorithm, "aws:kms") }

func (r sseRequest) bucketKey() bool { return r.BucketKey != nil && *r.BucketKey && r.kms() }

// encContext is what S3 passes to KMS: the caller's pairs plus aws:s3:arn,
// the object's ARN, or the bucket's when an S3 Bucket Key is used.
func encContext(partition, bucket, key string, bucketKey bool, extra map[string]string) map[string]string {
	m := make(map[string]string, len(extra)+1)
	for k, v := range extra {
		m[k] = v
	}
	arn := "arn:" + partition + ":s3:::" + bucket
	if !bucketKey {
		arn += "/" + key
	}
	m["aws:s3:arn"] = arn
	return m
}

// seal encrypts body for o under r: SSE-KMS bodies are AES-256-GCM under a
// KMS data key whose blob is kept with the object; SSE-S3 bodies are kept
// as they are (S3's own keys are not modelled).
func (s *Service) seal(c *svc.Call, o *object, r sseRequest, body []byte) *awsproto.Error {
	o.SSE, o.BucketKey = r.Algorithm, r.bucketKey()
	if !r.kms() {
		o.Body = append([]byte(nil), body...)
		return nil
	}
	if s.keys == nil {
		return kmsError(&awsproto.Error{Code: "NotFoundException", Message: "the sandbox has no KMS service"})
	}
	o.Context = r.Context
	dk, err := s.keys.GenerateDataKeyFor(*c, invokedBy, r.KeyID, encContext(s.env.Partition, o.Bucket, o.Key, o.BucketKey, r.Context))
	if err != nil {
		return kmsError(err)
	}
	defer clear(dk.Plaintext)
	o.KMSKeyARN, o.DataKey = dk.KeyARN, dk.Blob
	gcm := newGCM(dk.Plaintext)
	nonce := make([]byte, gcm.NonceSize())
	_, _ = rand.Read(nonce)
	o.Body = gcm.Seal(nonce, nonce, body, nil)
	return nil
}

// open returns o's plaintext body, decrypting through KMS as the caller:
// a key the caller may not use, or that is disabled, makes it unreadable.
func (s *Service) open(c *svc.Call, o *object) ([]byte, *awsproto.Error) {
	if !strings.HasPrefix(o.SSE, "aws:kms") {
		return o.Body, nil
	}
	if s.keys == nil {
		return nil, kmsError(&awsproto.Error{Code: "NotFoundException", Message: "the sandbox has no KMS service"})
	}
	pt, _, err := s.keys.DecryptFor(*c, invokedBy, o.DataKey, encContext(s.env.Partition, o.Bucket, o.Key, o.BucketKey, o.Context))
	if err != nil {
		return nil, kmsError(err)
	}
	defer clear(pt)
	gcm := newGCM(pt)
	n := gcm.NonceSize()
	if len(o.Body) < n {
		return nil, &awsproto.Error{Status: 500, Code: "InternalError", Message: "stored object is corrupt", Server: true}
	}
	body, oerr := gcm.Open(nil, o.Body[:n], o.Body[n:], nil)
	if oerr != nil {
		return nil, &awsproto.Error{Status: 500, Code: "InternalError", Message: "stored object is corrupt", Server: true}
	}
	return body, nil
}

func newGCM(key []byte) cipher.AEAD {
	b, err := aes.NewCipher(key)
	if err != nil {
		panic("s3svc: data key of bad size: " + err.Error())
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		panic("s3svc: " + err.Error())
	}
	return g
}

// kmsError is how S3 reports a failed KMS call it made for the requester:
// KMS's code prefixed with "KMS." (KMS.DisabledException,
// KMS.NotFoundException, KMS.KMSInvalidStateException) with status 400,
// and AccessDenied (403) when the key policy refuses the requester.
func kmsError(err error) *awsproto.Error {
	var ae *awsproto.Error
	if !errors.As(err, &ae) {
		return &awsproto.Error{Status: 500, Code: "InternalError", Message: "KMS call failed", Server: true}
	}
	if ae.Code == "AccessDeniedException" {
		return &awsproto.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: ae.Message}
	}
	if ae.Server {
		return &awsproto.Error{Status: 500, Code: "InternalError", Message: ae.Message, Server: true}
	}
	return &awsproto.Error{Status: http.StatusBadRequest, Code: "KMS." + ae.Code, Message: ae.Message}
}

// setSSEHeaders writes the encryption headers S3 returns on writes and reads.
func setSSEHeaders(h http.Header, o *object) {
	sse := o.SSE
	if sse == "" {
		sse = "AES256"
	}
	h.Set(hdrSSE, sse)
	if o.KMSKeyARN != "" {
		h.Set(hdrSSEKey, o.KMSKeyARN)
	}
	if o.BucketKey {
		h.Set(hdrBucketKey, "true")
	}
	if o.VersionID != "" {
		h.Set("x-amz-version-id", o.VersionID)
	}
}
