package s3svc

import (
	"bytes"
	"encoding/xml"
	"net/http"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type xmlDefault struct {
	SSEAlgorithm   string
	KMSMasterKeyID string `xml:",omitempty"`
}

type xmlRule struct {
	ApplyServerSideEncryptionByDefault *xmlDefault
	BucketKeyEnabled                   *bool `xml:",omitempty"`
}

type encryptionConfiguration struct {
	XMLName xml.Name  `xml:"ServerSideEncryptionConfiguration"`
	Xmlns   string    `xml:"xmlns,attr,omitempty"`
	Rules   []xmlRule `xml:"Rule"`
}

func (s *Service) getEncryption(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	s.mu.RLock()
	b, err := s.owned(c, t.bucket, false)
	var enc *Encryption
	if b != nil && b.Encryption != nil {
		e := *b.Encryption
		enc = &e
	}
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	if enc == nil {
		return &awsproto.Error{Status: http.StatusNotFound, Code: "ServerSideEncryptionConfigurationNotFoundError",
			Message: "The server side encryption configuration was not found", Extra: map[string]string{"BucketName": t.bucket}}
	}
	bk := enc.BucketKeyEnabled
	writeXML(w, c.RequestID, encryptionConfiguration{Xmlns: xmlns, Rules: []xmlRule{{
		ApplyServerSideEncryptionByDefault: &xmlDefault{SSEAlgorithm: enc.Algorithm, KMSMasterKeyID: enc.KMSMasterKeyID},
		BucketKeyEnabled:                   &bk}}})
	return nil
}

// parseEncryption validates a PutBucketEncryption body: one rule with a
// known algorithm; a key only with aws:kms or aws:kms:dsse.
func parseEncryption(body []byte) (*Encryption, *awsproto.Error) {
	var cfg encryptionConfiguration
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&cfg); err != nil || len(cfg.Rules) != 1 ||
		cfg.Rules[0].ApplyServerSideEncryptionByDefault == nil {
		return nil, malformedXML()
	}
	d := cfg.Rules[0].ApplyServerSideEncryptionByDefault
	enc := &Encryption{Algorithm: d.SSEAlgorithm, KMSMasterKeyID: d.KMSMasterKeyID}
	if bk := cfg.Rules[0].BucketKeyEnabled; bk != nil {
		enc.BucketKeyEnabled = *bk
	}
	switch d.SSEAlgorithm {
	case "aws:kms", "aws:kms:dsse":
	case "AES256":
		if d.KMSMasterKeyID != "" {
			return nil, awsproto.Errorf("InvalidArgument", "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
		}
	default:
		return nil, malformedXML()
	}
	return enc, nil
}

// putEncryption stores the rule; the KMSMasterKeyID is kept verbatim.
func (s *Service) putEncryption(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	enc, err := parseEncryption(decodeChunked(c.Req, c.Body))
	if err != nil {
		return err
	}
	return s.setEncryption(w, c, t, enc)
}

// deleteEncryption resets the bucket to S3's default, SSE-S3 (since 2023
// no bucket is left without default encryption).
func (s *Service) deleteEncryption(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	return s.setEncryption(w, c, t, defaultEncryption())
}

func (s *Service) setEncryption(w http.ResponseWriter, c *svc.Call, t target, enc *Encryption) *awsproto.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.owned(c, t.bucket, false)
	if err != nil {
		return err
	}
	next := *b
	next.Encryption, next.ChangedAt = enc, c.Now
	if err := s.persist(&next); err != nil {
		return err
	}
	s.buckets[b.Name] = &next
	status := http.StatusOK
	if c.Op == "DeleteBucketEncryption" {
		status = http.StatusNoContent
	}
	w.Header().Set("x-amz-request-id", c.RequestID)
	w.WriteHeader(status)
	return nil
}
