package kmssvc

import (
	"crypto/rand"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// cryptoAccess is how cryptographic operations name keys: aliases and
// other accounts' key or alias ARNs are accepted; encCtx is the request's
// encryption context, which grant constraints are matched against.
func cryptoAccess(action string, encCtx map[string]string) access {
	return access{action: action, aliases: true, crossAccount: true, encCtx: encCtx}
}

func checkAlgorithm(alg *string) *awsproto.Error {
	if alg == nil || *alg == symmetricDefault {
		return nil
	}
	switch *alg {
	case "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE":
		return awsproto.Errorf("InvalidKeyUsageException", "The requested algorithm %s is not compatible with a SYMMETRIC_DEFAULT key", *alg)
	}
	return enumErr("encryptionAlgorithm", *alg, "SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE")
}

// encryptionKey resolves a key for encryption and returns its current material.
func (s *Service) encryptionKey(c *svc.Call, ref *string, a access, ev *event) (*key, *material, *awsproto.Error) {
	if ref == nil {
		return nil, nil, errNull("keyId")
	}
	k, err := s.findKey(c, *ref, a, ev)
	if err != nil {
		return nil, nil, err
	}
	if err := usable(k); err != nil {
		return nil, nil, err
	}
	m := k.current()
	if m == nil || m.aead == nil {
		return nil, nil, errKeyState(k)
	}
	ev.setExtra("keyMaterialId", m.ID)
	return k, m, nil
}

type encryptReq struct {
	KeyId               *string
	Plaintext           []byte
	EncryptionContext   map[string]string
	EncryptionAlgorithm *string
}

type encryptResp struct {
	CiphertextBlob      []byte
	KeyId               string
	EncryptionAlgorithm string
}

func encrypt(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req encryptReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	ev.setParam("encryptionAlgorithm", symmetricDefault)
	switch {
	case req.Plaintext == nil:
		return nil, errNull("plaintext")
	case len(req.Plaintext) == 0 || len(req.Plaintext) > 4096:
		return nil, errValidation("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length between 1 and 4096")
	}
	if err := checkAlgorithm(req.EncryptionAlgorithm); err != nil {
		return nil, err
	}
	k, m, err := s.encryptionKey(c, req.KeyId, cryptoAccess("Encrypt", req.EncryptionContext), ev)
	if err != nil {
		return nil, err
	}
	return encryptResp{seal(k, m, req.Plaintext, req.EncryptionContext), k.ARN, symmetricDefault}, nil
}

type dataKeyReq struct {
	KeyId             *string
	KeySpec           *string
	NumberOfBytes     *int32
	EncryptionContext map[string]string
}

func (r *dataKeyReq) size() (int, *awsproto.Error) {
	switch {
	case r.KeySpec != nil && r.NumberOfBytes != nil:
		return 0, errValidation("Please specify either number of bytes or key spec.")
	case r.KeySpec != nil && *r.KeySpec == "AES_256":
		return 32, nil
	case r.KeySpec != nil && *r.KeySpec == "AES_128":
		return 16, nil
	case r.KeySpec != nil:
		return 0, enumErr("keySpec", *r.KeySpec, "AES_256, AES_128")
	case r.NumberOfBytes == nil:
		return 0, errValidation("Please specify either number of bytes or key spec.")
	case *r.NumberOfBytes < 1 || *r.NumberOfBytes > 1024:
		return 0, errValidation("1 validation error detected: Value '%d' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024", *r.NumberOfBytes)
	}
	return int(*r.NumberOfBytes), nil
}

type dataKeyResp struct {
	CiphertextBlob []byte
	Plaintext      []byte `json:",omitempty"`
	KeyId          string
	KeyMaterialId  string
}

func generateDataKey(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req dataKeyReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	n, err := req.size()
	if err != nil {
		return nil, err
	}
	k, m, err := s.encryptionKey(c, req.KeyId, cryptoAccess(c.Op, req.EncryptionContext), ev)
	if err != nil {
		return nil, err
	}
	pt := make([]byte, n)
	_, _ = rand.Read(pt)
	resp := dataKeyResp{CiphertextBlob: seal(k, m, pt, req.EncryptionContext), KeyId: k.ARN, KeyMaterialId: m.ID}
	if c.Op == "GenerateDataKey" {
		resp.Plaintext = pt
	}
	return resp, nil
}

type decryptReq struct {
	KeyId               *string
	CiphertextBlob      []byte
	EncryptionContext   map[string]string
	EncryptionAlgorithm *string
}

type decryptResp struct {
	Plaintext           []byte
	KeyId               string
	KeyMaterialId       string
	EncryptionAlgorithm string
}

func decrypt(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req decryptReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	ev.setParam("encryptionAlgorithm", symmetricDefault)
	if req.CiphertextBlob == nil {
		return nil, errNull("ciphertextBlob")
	}
	if err := checkAlgorithm(req.EncryptionAlgorithm); err != nil {
		return nil, err
	}
	k, m, pt, err := s.open(c, req.CiphertextBlob, req.KeyId, req.EncryptionContext, "Decrypt", ev)
	if err != nil {
		return nil, err
	}
	return decryptResp{pt, k.ARN, m.ID, symmetricDefault}, nil
}

// open decrypts a ciphertext blob for Decrypt and ReEncrypt.
func (s *Service) open(c *svc.Call, blob []byte, ref *string, ctx map[string]string, action string, ev *event) (*key, *material, []byte, *awsproto.Error) {
	h, perr := parseCiphertext(blob)
	if perr != nil {
		return nil, nil, nil, errInvalidCiphertext()
	}
	k, err := s.decryptionKey(c, h, ref, cryptoAccess(action, ctx), ev)
	if err != nil {
		return nil, nil, nil, err
	}
	m := k.material(h.material)
	if m == nil || m.aead == nil {
		return nil, nil, nil, errInvalidCiphertext()
	}
	ev.setExtra("keyMaterialId", m.ID)
	pt, oerr := open(h, m, ctx)
	if oerr != nil {
		return nil, nil, nil, errInvalidCiphertext()
	}
	return k, m, pt, nil
}

func (s *Service) decryptionKey(c *svc.Call, h *ctHeader, ref *string, a access, ev *event) (*key, *awsproto.Error) {
	arn := keyARN(s.env.Partition, c.Region, h.account, h.keyID)
	var k *key
	if ref != nil {
		named, err := s.lookup(c, *ref, a)
		if err != nil {
			return nil, err
		}
		if named.ARN != arn {
			ev.addKey(named)
			return nil, awsproto.Errorf("IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.")
		}
		k = named
	} else if k = s.keys[arn]; k == nil {
		return nil, errInvalidCiphertext()
	}
	ev.addKey(k)
	if err := s.authorize(c, k, a, ev); err != nil {
		return nil, err
	}
	if err := usable(k); err != nil {
		return nil, err
	}
	return k, nil
}

type reEncryptReq struct {
	CiphertextBlob                 []byte
	SourceKeyId                    *string
	DestinationKeyId               *string
	SourceEncryptionContext        map[string]string
	DestinationEncryptionContext   map[string]string
	SourceEncryptionAlgorithm      *string
	DestinationEncryptionAlgorithm *string
}

type reEncryptResp struct {
	CiphertextBlob                 []byte
	SourceKeyId                    string
	KeyId                          string
	SourceKeyMaterialId            string
	DestinationKeyMaterialId       string
	SourceEncryptionAlgorithm      string
	DestinationEncryptionAlgorithm string
}

func reEncrypt(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req reEncryptReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	switch {
	case req.CiphertextBlob == nil:
		return nil, errNull("ciphertextBlob")
	case req.DestinationKeyId == nil:
		return nil, errNull("destinationKeyId")
	}
	for _, alg := range []*string{req.SourceEncryptionAlgorithm, req.DestinationEncryptionAlgorithm} {
		if err := checkAlgorithm(alg); err != nil {
			return nil, err
		}
	}
	src, sm, pt, err := s.open(c, req.CiphertextBlob, req.SourceKeyId, req.SourceEncryptionContext, "ReEncryptFrom", ev)
	if err != nil {
		return nil, err
	}
	dst, dm, err := s.encryptionKey(c, req.DestinationKeyId, cryptoAccess("ReEncryptTo", req.DestinationEncryptionContext), ev)
	if err != nil {
		return nil, err
	}
	delete(ev.extra, "keyMaterialId")
	ev.setExtra("sourceKeyMaterialId", sm.ID)
	ev.setExtra("destinationKeyMaterialId", dm.ID)
	out := seal(dst, dm, pt, req.DestinationEncryptionContext)
	clear(pt)
	return reEncryptResp{out, src.ARN, dst.ARN, sm.ID, dm.ID, symmetricDefault, symmetricDefault}, nil
}

func init() {
	register("Encrypt", opCrypto, encrypt)
	register("Decrypt", opCrypto, decrypt)
	register("GenerateDataKey", opCrypto, generateDataKey)
	register("GenerateDataKeyWithoutPlaintext", opCrypto, generateDataKey)
	register("ReEncrypt", opCrypto, reEncrypt)
}
