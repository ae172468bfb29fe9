package ctsvc

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// A NextToken names the first event of the next page and a fingerprint of
// the query (caller account, Region, attribute, raw time range),
// so a token replayed with other parameters is refused as CloudTrail
// refuses it.
type token struct {
	V  int    `json:"v"`
	ID string `json:"id"`
	FP string `json:"fp"`
}

func fingerprint(c *svc.Call, q query) string {
	var raw struct {
		StartTime, EndTime *float64
		EventCategory      *string
	}
	_ = json.Unmarshal(c.Body, &raw) // already validated by parseLookup
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%s|%s|%v|%v|%v", c.Caller.Account, c.Region, q.Key, q.Value,
		deref(raw.StartTime), deref(raw.EndTime), q.Insight)
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func deref(f *float64) any {
	if f == nil {
		return "-"
	}
	return *f
}

func encodeToken(eventID, fp string) string {
	b, _ := json.Marshal(token{V: 1, ID: eventID, FP: fp})
	return base64.RawURLEncoding.EncodeToString(b)
}

// requestToken returns the NextToken of the request, if any.
func requestToken(body []byte) (string, bool) {
	var raw struct{ NextToken *string }
	if json.Unmarshal(body, &raw) != nil || raw.NextToken == nil {
		return "", false
	}
	return *raw.NextToken, true
}

func decodeToken(s, fp string) (string, *awsproto.Error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", invalidToken()
	}
	var t token
	if json.Unmarshal(b, &t) != nil || t.V != 1 || t.ID == "" || t.FP != fp {
		return "", invalidToken()
	}
	return t.ID, nil
}

func invalidToken() *awsproto.Error {
	return awsproto.Errorf("InvalidNextTokenException",
		"Invalid NextToken: pass the NextToken of the previous response unchanged, with the same parameters")
}
