package stssvc

import (
	"net/http"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	"github.com/byok-dev/byok/internal/sandbox/svc"
	"github.com/byok-dev/byok/internal/sandbox/trail"
)

// recordAssume records an AssumeRole call, successful or refused, as
// CloudTrail does: visible in the caller's account and in the account that
// owns the role. The secret and session token are never recorded.
func (s *Service) recordAssume(c *svc.Call, req assumeRequest, cred identity.Credential, failure *awsproto.Error) *awsproto.Error {
	roleAccount := accountOfRoleARN(req.RoleARN)
	e := trail.Event{
		EventID: awsproto.NewRequestID(), EventTime: c.Now, EventSource: "sts.amazonaws.com",
		EventName: "AssumeRole", AWSRegion: c.Region, SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent,
		UserIdentity: UserIdentity(c.Caller), RequestID: c.RequestID, ReadOnly: true,
		RequestParameters: map[string]any{"roleArn": req.RoleARN, "roleSessionName": req.Session,
			"durationSeconds": int(req.Duration / time.Second)},
		Resources:          []trail.Resource{{ARN: req.RoleARN, AccountID: roleAccount, Type: "AWS::IAM::Role"}},
		RecipientAccountID: c.Caller.Account,
		Accounts:           []string{c.Caller.Account},
	}
	if failure != nil {
		e.ErrorCode, e.ErrorMessage = failure.Code, failure.Message
	} else {
		e.ResponseElements = map[string]any{
			"credentials": map[string]any{"accessKeyId": cred.AccessKeyID,
				"expiration": cred.Expires.UTC().Format("Jan 2, 2006, 3:04:05 PM")},
			"assumedRoleUser": map[string]any{"assumedRoleId": cred.Principal.UserID, "arn": cred.Principal.ARN},
		}
	}
	if _, known := s.env.IAM.Role(req.RoleARN); known && roleAccount != c.Caller.Account {
		e.Accounts = append(e.Accounts, roleAccount)
	}
	if err := s.env.Trail.Record(e); err != nil {
		s.env.Logger.Error("record trail event", "error", err)
		return &awsproto.Error{Status: http.StatusInternalServerError, Code: "InternalFailure",
			Message: "the sandbox could not record the CloudTrail event", Server: true}
	}
	return nil
}

// UserIdentity renders a principal as CloudTrail's userIdentity.
func UserIdentity(p identity.Principal) trail.UserIdentity {
	return trail.UserIdentity{Type: string(p.Type), PrincipalID: p.UserID, ARN: p.ARN,
		AccountID: p.Account, AccessKeyID: p.AccessKeyID, SessionIssuerARN: p.RoleARN}
}

func accountOfRoleARN(arn string) string {
	const prefix = "arn:aws:iam::"
	if len(arn) >= len(prefix)+12 {
		return arn[len(prefix) : len(prefix)+12]
	}
	return ""
}
