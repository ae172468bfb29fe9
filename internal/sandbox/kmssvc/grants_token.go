package kmssvc

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// A grant token is opaque, non-secret and unique per CreateGrant call (a
// retry with the same Name gets a new token for the same grant): base64 of
// AES-256-GCM, under the sandbox's token secret with a grant-specific
// associated data, of the grant ID, the key ARN and a nonce. A token
// cannot be forged or moved to another grant without detection.
const grantTokenAAD = "byok-sandbox-kms-grant-token-v1"

// maxGrantTokens is the GrantTokens list's maximum length; a token is at
// most 8192 characters (GrantTokenType).
const (
	maxGrantTokens   = 10
	maxGrantTokenLen = 8192
)

var errBadGrantToken = errors.New("grant token does not authenticate")

type grantTokenBody struct {
	GrantID string `json:"g"`
	KeyARN  string `json:"k"`
}

func (s *Service) sealGrantToken(g *grant) string {
	body, _ := json.Marshal(grantTokenBody{GrantID: g.ID, KeyARN: g.KeyARN})
	nonce := make([]byte, 12)
	_, _ = rand.Read(nonce)
	return base64.StdEncoding.EncodeToString(s.tokenAEAD().Seal(nonce, nonce, body, []byte(grantTokenAAD)))
}

// openGrantToken returns the grant and key a token names.
func (s *Service) openGrantToken(tok string) (*grantTokenBody, error) {
	raw, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || len(raw) < 12+16 || len(tok) > maxGrantTokenLen {
		return nil, errBadGrantToken
	}
	body, err := s.tokenAEAD().Open(nil, raw[:12], raw[12:], []byte(grantTokenAAD))
	if err != nil {
		return nil, errBadGrantToken
	}
	var b grantTokenBody
	if json.Unmarshal(body, &b) != nil || b.GrantID == "" || b.KeyARN == "" {
		return nil, errBadGrantToken
	}
	return &b, nil
}

// tokenOps are the served operations whose requests take GrantTokens.
var tokenOps = map[string]bool{
	"CreateGrant": true, "Decrypt": true, "DescribeKey": true, "Encrypt": true, "GenerateDataKey": true,
	"GenerateDataKeyWithoutPlaintext": true, "ReEncrypt": true,
}

type grantTokensReq struct {
	GrantTokens []string
}

// checkGrantTokens refuses a request whose GrantTokens are too many or
// not tokens this KMS issued (InvalidGrantTokenException). A valid token
// adds nothing here: the sandbox's grants are effective at once, so the
// grant, if it still exists, already authorizes the call.
func (s *Service) checkGrantTokens(c *svc.Call) *awsproto.Error {
	if !tokenOps[c.Op] {
		return nil
	}
	var req grantTokensReq
	if err := decode(c, &req); err != nil {
		return err
	}
	if len(req.GrantTokens) > maxGrantTokens {
		return errValidation("1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to %d", maxGrantTokens)
	}
	for _, t := range req.GrantTokens {
		if _, err := s.openGrantToken(t); err != nil {
			return errInvalidGrantToken()
		}
	}
	return nil
}

func errInvalidGrantToken() *awsproto.Error {
	return awsproto.Errorf("InvalidGrantTokenException", "Grant token is invalid.")
}
