package kmssvc

import (
	"encoding/json"
	"testing"

	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// FuzzGrantRequests feeds arbitrary bodies to the grant request parsers
// (CreateGrant, RetireGrant, ListGrants, the GrantTokens check): none may
// panic, a request validate accepts must name only symmetric grant
// operations and valid principals, and no forged grant token is accepted.
func FuzzGrantRequests(f *testing.F) {
	f.Add([]byte(`{"KeyId":"k","GranteePrincipal":"arn:aws:iam::222222222222:role/app","Operations":["Decrypt"],"Constraints":{"EncryptionContextSubset":{"a":"b"}}}`))
	f.Add([]byte(`{"KeyId":"k","GranteePrincipal":"arn:aws:iam::222222222222:root","Operations":["Sign"],"Name":"n"}`))
	f.Add([]byte(`{"GrantToken":"AQID","GrantTokens":["x","y"],"Limit":3,"Marker":"AAAAAw"}`))
	f.Add([]byte(`{"Constraints":{"EncryptionContextEquals":{"":""}},"Operations":[]}`))
	s := &Service{tokenKey: make([]byte, 32), grants: newGrantIndex()}
	parent := &grant{Operations: []string{"Decrypt", "CreateGrant"}, Constraints: &constraints{EncryptionContextSubset: map[string]string{"a": "b"}}}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req createGrantReq
		if json.Unmarshal(body, &req) == nil && req.validate() == nil {
			for _, op := range req.Operations {
				if !grantOps[op] {
					t.Fatalf("accepted operation %q", op)
				}
			}
			if !principalARNRE.MatchString(*req.GranteePrincipal) {
				t.Fatalf("accepted principal %q", *req.GranteePrincipal)
			}
			req.Constraints.allows(map[string]string{"a": "b"})
			narrower(parent, req.Operations, req.Constraints)
		}
		var rr retireGrantReq
		if json.Unmarshal(body, &rr) == nil && rr.GrantToken != nil {
			if _, err := s.openGrantToken(*rr.GrantToken); err == nil {
				t.Fatal("a forged grant token was accepted")
			}
		}
		if _, err := s.openGrantToken(string(body)); err == nil {
			t.Fatal("a forged grant token was accepted")
		}
		var lr listGrantsReq
		if json.Unmarshal(body, &lr) == nil {
			_, _, _, _ = lr.page(10, 50, 100)
		}
		_ = s.checkGrantTokens(&svc.Call{Op: "Encrypt", Body: body})
	})
}
