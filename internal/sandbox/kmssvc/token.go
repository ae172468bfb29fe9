package kmssvc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"time"
)

// An import token is opaque to the caller: AES-256-GCM, under a sandbox
// secret kept in the state file, of the key ARN it was issued for, the
// wrapping algorithm, its expiry and the PKCS#8 wrapping private key. It
// therefore survives a restart and cannot be moved to another key or
// altered without detection.
const tokenAAD = "byok-sandbox-kms-import-token-v1"

var errBadToken = errors.New("import token does not authenticate")

type tokenBody struct {
	KeyARN    string      `json:"k"`
	Algorithm string      `json:"a"`
	ValidTo   time.Time   `json:"v"`
	Private   secretBytes `json:"p"`
}

func (s *Service) tokenAEAD() cipher.AEAD {
	blk, _ := aes.NewCipher(s.tokenKey)
	g, _ := cipher.NewGCM(blk)
	return g
}

func (s *Service) sealToken(keyARN, alg string, validTo time.Time, priv *rsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(tokenBody{KeyARN: keyARN, Algorithm: alg, ValidTo: validTo, Private: der})
	clear(der)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, 12)
	_, _ = rand.Read(nonce)
	out := s.tokenAEAD().Seal(nonce, nonce, body, []byte(tokenAAD))
	clear(body)
	return out, nil
}

// openToken returns the token's body and wrapping private key.
func (s *Service) openToken(tok []byte) (*tokenBody, *rsa.PrivateKey, error) {
	if len(tok) < 12+16 {
		return nil, nil, errBadToken
	}
	body, err := s.tokenAEAD().Open(nil, tok[:12], tok[12:], []byte(tokenAAD))
	if err != nil {
		return nil, nil, errBadToken
	}
	defer clear(body)
	var tb tokenBody
	if err := json.Unmarshal(body, &tb); err != nil {
		return nil, nil, errBadToken
	}
	k, err := x509.ParsePKCS8PrivateKey(tb.Private)
	clear(tb.Private)
	priv, ok := k.(*rsa.PrivateKey)
	if err != nil || !ok {
		return nil, nil, errBadToken
	}
	return &tb, priv, nil
}
