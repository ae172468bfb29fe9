package ctsvc

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/trail"
)

// record renders e as the CloudTrail record JSON that LookupEvents returns
// in CloudTrailEvent: times to the second, and an assumed role's issuer in
// userIdentity.sessionContext.sessionIssuer as CloudTrail nests it.
func record(e trail.Event) string {
	m := recordMap(e)
	if m == nil {
		return "{}"
	}
	out, err := json.Marshal(m)
	if err != nil {
		return "{}"
	}
	return string(out)
}

// recordMap is record before encoding (numbers as float64); nil when e
// cannot be encoded.
func recordMap(e trail.Event) map[string]any {
	raw, err := json.Marshal(e)
	if err != nil {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil
	}
	m["eventTime"] = e.EventTime.UTC().Format(time.RFC3339)
	m["userIdentity"] = userIdentity(e.UserIdentity, e.EventTime)
	if e.RequestParameters == nil {
		m["requestParameters"] = nil
	}
	return m
}

func userIdentity(u trail.UserIdentity, at time.Time) map[string]any {
	m := map[string]any{"type": u.Type, "principalId": u.PrincipalID, "arn": u.ARN, "accountId": u.AccountID}
	if u.AccessKeyID != "" {
		m["accessKeyId"] = u.AccessKeyID
	}
	if u.InvokedBy != "" {
		m["invokedBy"] = u.InvokedBy
	}
	switch u.Type {
	case "IAMUser":
		m["userName"] = resourceID(u.ARN)
	case "AssumedRole":
		roleID, _, _ := strings.Cut(u.PrincipalID, ":")
		m["sessionContext"] = map[string]any{
			"sessionIssuer": map[string]any{"type": "Role", "principalId": roleID, "arn": u.SessionIssuerARN,
				"accountId": u.AccountID, "userName": resourceID(u.SessionIssuerARN)},
			"attributes": map[string]any{"creationDate": at.UTC().Format(time.RFC3339), "mfaAuthenticated": "false"},
		}
	}
	return m
}
