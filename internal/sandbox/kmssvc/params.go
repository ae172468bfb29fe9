package kmssvc

import (
	"crypto/x509"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// importTokenLife is how long GetParametersForImport's token and public key
// stay valid.
const importTokenLife = 24 * time.Hour

type paramsReq struct {
	KeyId             *string
	WrappingAlgorithm *string
	WrappingKeySpec   *string
}

func (r *paramsReq) validate() (int, *awsproto.Error) {
	switch {
	case r.KeyId == nil:
		return 0, errNull("keyId")
	case r.WrappingAlgorithm == nil:
		return 0, errNull("wrappingAlgorithm")
	case r.WrappingKeySpec == nil:
		return 0, errNull("wrappingKeySpec")
	}
	switch *r.WrappingAlgorithm {
	case algOAEP1, algOAEP256, algAESWrap1, algAESWrap2:
	case algPKCS1:
		return 0, errValidation("The wrapping algorithm RSAES_PKCS1_V1_5 is no longer supported; use RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256")
	case "SM2PKE":
		return 0, errUnsupported("SM2PKE wrapping is available only in China Regions")
	default:
		return 0, enumErr("wrappingAlgorithm", *r.WrappingAlgorithm, "RSAES_PKCS1_V1_5, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_1, RSA_AES_KEY_WRAP_SHA_256, SM2PKE")
	}
	bits, ok := wrappingSpecs[*r.WrappingKeySpec]
	if !ok {
		return 0, enumErr("wrappingKeySpec", *r.WrappingKeySpec, "RSA_2048, RSA_3072, RSA_4096, SM2")
	}
	return bits, nil
}

// importTarget checks that k can receive imported material.
func importTarget(k *key) *awsproto.Error {
	if k.Origin != originExternal {
		return errUnsupported("%s origin is %s which is not valid for this operation.", k.ARN, k.Origin)
	}
	if k.state() == statePendingDeletion {
		return errKeyState(k)
	}
	return nil
}

// getParametersForImport generates the RSA pair outside the lock: it can
// take a second and must not stall other calls.
func getParametersForImport(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req paramsReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	bits, err := req.validate()
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	k, err := s.findKey(c, *req.KeyId, access{action: "GetParametersForImport"}, ev)
	if err == nil {
		err = importTarget(k)
	}
	var arn string
	if k != nil {
		arn = k.ARN
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	priv, gerr := s.pool.get(bits)
	if gerr != nil {
		return nil, errInternal("generate a wrapping key")
	}
	validTo := c.Now.Add(importTokenLife)
	tok, terr := s.sealToken(arn, *req.WrappingAlgorithm, validTo, priv)
	pub, perr := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if terr != nil || perr != nil {
		return nil, errInternal("issue an import token")
	}
	return map[string]any{"KeyId": arn, "ImportToken": tok, "PublicKey": pub, "ParametersValidTo": epoch(validTo)}, nil
}

func init() {
	register("GetParametersForImport", opSelf, getParametersForImport)
}
