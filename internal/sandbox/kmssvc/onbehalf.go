package kmssvc

import (
	"crypto/rand"
	"errors"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// DataKey is a data key generated for a service acting on a principal's
// behalf. Plaintext must be cleared by the caller when done.
type DataKey struct {
	KeyARN    string
	Plaintext []byte
	Blob      []byte // KMS ciphertext blob, carries key and material IDs
}

// GenerateDataKeyFor is GenerateDataKey (AES_256) called by an AWS service
// (invokedBy, e.g. "s3.amazonaws.com") on behalf of caller, as S3 does for
// SSE-KMS: the caller's key policy permissions apply, an AWS managed alias
// (alias/aws/s3) creates its key on first use, and the CloudTrail event
// carries userIdentity.invokedBy with the service as source IP and user
// agent, visible in the caller's and the key owner's accounts. Errors are
// *awsproto.Error with KMS's codes.
func (s *Service) GenerateDataKeyFor(caller svc.Call, invokedBy, ref string, encCtx map[string]string) (DataKey, error) {
	c := onBehalf(caller, invokedBy, "GenerateDataKey")
	ev := &event{kind: opCrypto, params: map[string]any{"keyId": ref, "keySpec": "AES_256", "encryptionContext": ctxParam(encCtx)}}
	arn, rerr := s.ResolveKey(c, ref)
	var dk DataKey
	var aerr *awsproto.Error
	if rerr != nil {
		if !errors.As(rerr, &aerr) {
			aerr = &awsproto.Error{Status: 500, Code: "KMSInternalException", Message: rerr.Error(), Server: true}
		}
	} else {
		dk, aerr = s.dataKeyFor(&c, arn, encCtx, ev)
	}
	s.record(&c, ev, nil, aerr)
	if aerr != nil {
		return DataKey{}, aerr
	}
	return dk, nil
}

func (s *Service) dataKeyFor(c *svc.Call, arn string, encCtx map[string]string, ev *event) (DataKey, *awsproto.Error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, m, err := s.encryptionKey(c, &arn, cryptoAccess("GenerateDataKey", encCtx), ev)
	if err != nil {
		return DataKey{}, err
	}
	pt := make([]byte, 32)
	_, _ = rand.Read(pt)
	return DataKey{KeyARN: k.ARN, Plaintext: pt, Blob: seal(k, m, pt, encCtx)}, nil
}

// DecryptFor is Decrypt called by an AWS service on behalf of caller (S3
// GetObject, CopyObject's source): the key named in the blob must be usable
// by the caller (policy, Enabled), so a disabled key makes what it protects
// unreadable. It returns the plaintext and the key ARN.
func (s *Service) DecryptFor(caller svc.Call, invokedBy string, blob []byte, encCtx map[string]string) ([]byte, string, error) {
	c := onBehalf(caller, invokedBy, "Decrypt")
	ev := &event{kind: opCrypto, params: map[string]any{"encryptionAlgorithm": symmetricDefault, "encryptionContext": ctxParam(encCtx)}}
	s.sweepIfDue(c.Now)
	s.mu.RLock()
	k, _, pt, err := s.open(&c, blob, nil, encCtx, "Decrypt", ev)
	s.mu.RUnlock()
	s.record(&c, ev, nil, err)
	if err != nil {
		return nil, "", err
	}
	return pt, k.ARN, nil
}

// onBehalf is the call KMS sees from a service: the principal's identity,
// the service as source and user agent, a request ID of its own. The trail
// store derives userIdentity.invokedBy from that source.
func onBehalf(caller svc.Call, invokedBy, op string) svc.Call {
	c := caller
	c.Req, c.Body, c.Op = nil, nil, op
	c.SourceIP, c.UserAgent = invokedBy, invokedBy
	c.RequestID = awsproto.NewRequestID()
	return c
}

func ctxParam(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
