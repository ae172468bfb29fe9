package kmssvc

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
	"github.com/byok-dev/byok/internal/sandbox/trail"
)

// sensitive request members CloudTrail never records (KMS omits blobs).
var sensitive = map[string]bool{
	"Plaintext": true, "CiphertextBlob": true, "EncryptedKeyMaterial": true, "ImportToken": true,
	"GrantToken": true, "GrantTokens": true,
}

// event collects what a handler learns for the call's CloudTrail record.
type event struct {
	kind   opKind
	params map[string]any
	extra  map[string]any
	keys   []*key
	// response, when set, is the responseElements recorded instead of the
	// whole response (CreateGrant records its grantId, not its token).
	response map[string]any
}

func newEvent(c *svc.Call, kind opKind) *event {
	ev := &event{kind: kind}
	if m := rawParams(c.Body); m != nil {
		ev.params = map[string]any{}
		for k, raw := range m {
			if sensitive[k] {
				continue // never decoded: blobs stay out of the trail
			}
			var v any
			if json.Unmarshal(raw, &v) != nil {
				continue
			}
			if strings.HasSuffix(k, "EncryptionContext") {
				ev.params[lowerFirst(k)] = v // caller's keys, recorded verbatim
			} else {
				ev.params[lowerFirst(k)] = camel(v)
			}
		}
	}
	return ev
}

// addKey marks k as a resource of the call (and its owner as an account
// the event is visible in).
func (ev *event) addKey(k *key) {
	for _, x := range ev.keys {
		if x.ARN == k.ARN {
			return
		}
	}
	ev.keys = append(ev.keys, k)
}

func (ev *event) setExtra(name string, v any) {
	if ev.extra == nil {
		ev.extra = map[string]any{}
	}
	ev.extra[name] = v
}

func (ev *event) setParam(name string, v any) {
	if ev.params == nil {
		ev.params = map[string]any{}
	}
	if _, ok := ev.params[name]; !ok {
		ev.params[name] = v
	}
}

// record stores the call's CloudTrail event. A trail write failure is
// logged, not returned: the call's outcome was already decided.
func (s *Service) record(c *svc.Call, ev *event, resp any, aerr *awsproto.Error) {
	e := trail.Event{
		EventID: awsproto.NewRequestID(), EventTime: c.Now, EventSource: "kms.amazonaws.com",
		EventName: c.Op, AWSRegion: c.Region, SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent,
		UserIdentity: trail.UserIdentity{Type: string(c.Caller.Type), PrincipalID: c.Caller.UserID,
			ARN: c.Caller.ARN, AccountID: c.Caller.Account, AccessKeyID: c.Caller.AccessKeyID,
			SessionIssuerARN: c.Caller.RoleARN},
		RequestParameters: ev.params, AdditionalEventData: ev.extra, RequestID: c.RequestID,
		ReadOnly: ev.kind != opWrite, RecipientAccountID: c.Caller.Account,
		Accounts: []string{c.Caller.Account},
	}
	if aerr != nil {
		e.ErrorCode, e.ErrorMessage = aerr.Code, aerr.Message
	} else if ev.response != nil {
		e.ResponseElements = ev.response
	} else if ev.kind == opWrite && resp != nil {
		e.ResponseElements = responseElements(resp)
	}
	for _, k := range ev.keys {
		e.Resources = append(e.Resources, trail.Resource{ARN: k.ARN, AccountID: k.Account, Type: "AWS::KMS::Key"})
		if !contains(e.Accounts, k.Account) {
			e.Accounts = append(e.Accounts, k.Account)
		}
	}
	if err := s.env.Trail.Record(e); err != nil {
		s.env.Logger.Error("kms trail record failed", "error", err.Error())
	}
}

// responseElements is the response with CloudTrail's camelCase member names.
func responseElements(resp any) map[string]any {
	raw, err := json.Marshal(resp)
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil || len(m) == 0 {
		return nil
	}
	out, _ := camel(m).(map[string]any)
	return out
}

func camel(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[lowerFirst(k)] = camel(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = camel(e)
		}
		return out
	}
	return v
}

// lowerFirst turns KeyId into keyId, as CloudTrail spells KMS members;
// AWS-prefixed names (AWSAccountId) are left as they are.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || strings.HasPrefix(s, "AWS") {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
