package stssvc

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// STS limits for AssumeRole (API reference, AssumeRole request parameters).
const (
	minDuration   = 900
	maxDuration   = 43200
	chainLimit    = time.Hour // role chaining caps sessions at one hour
	defaultPeriod = 3600
)

var (
	sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]*$`)
	roleARNRE     = regexp.MustCompile(`^arn:aws:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
)

type assumeRequest struct {
	RoleARN  string
	Session  string
	Duration time.Duration
}

// parseAssume validates the request parameters as STS does, collecting
// every constraint violation into one ValidationError.
func parseAssume(form url.Values) (assumeRequest, *awsproto.Error) {
	var msgs []string
	req := assumeRequest{RoleARN: form.Get("RoleArn"), Session: form.Get("RoleSessionName"),
		Duration: defaultPeriod * time.Second}
	msgs = append(msgs, checkLength("roleArn", req.RoleARN, form.Has("RoleArn"), 20, 2048)...)
	msgs = append(msgs, checkLength("roleSessionName", req.Session, form.Has("RoleSessionName"), 2, 64)...)
	if req.Session != "" && !sessionNameRE.MatchString(req.Session) {
		msgs = append(msgs, fmt.Sprintf("Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", req.Session))
	}
	if raw := form.Get("DurationSeconds"); raw != "" {
		d, msg := parseDuration(raw)
		if msg != "" {
			msgs = append(msgs, msg)
		}
		req.Duration = d
	}
	if len(msgs) > 0 {
		return req, validation(msgs)
	}
	if !roleARNRE.MatchString(req.RoleARN) {
		return req, awsproto.Errorf("ValidationError", "%s is invalid: a role ARN looks like arn:aws:iam::123456789012:role/NAME", req.RoleARN)
	}
	return req, nil
}

func checkLength(field, v string, present bool, lo, hi int) []string {
	switch {
	case !present:
		return []string{fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", field)}
	case len(v) < lo:
		return []string{fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", v, field, lo)}
	case len(v) > hi:
		return []string{fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", v, field, hi)}
	}
	return nil
}

func parseDuration(raw string) (time.Duration, string) {
	n, err := strconv.Atoi(raw)
	switch {
	case err != nil:
		return 0, fmt.Sprintf("Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must be an integer", raw)
	case n < minDuration:
		return 0, fmt.Sprintf("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to %d", n, minDuration)
	case n > maxDuration:
		return 0, fmt.Sprintf("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to %d", n, maxDuration)
	}
	return time.Duration(n) * time.Second, ""
}

func validation(msgs []string) *awsproto.Error {
	noun := "error"
	if len(msgs) > 1 {
		noun = "errors"
	}
	return awsproto.Errorf("ValidationError", "%d validation %s detected: %s", len(msgs), noun, strings.Join(msgs, "; "))
}

func (s *Service) assumeRole(w http.ResponseWriter, c *svc.Call, form url.Values) {
	req, aerr := parseAssume(form)
	if aerr != nil {
		awsproto.WriteError(w, awsproto.Query, c.RequestID, aerr)
		return
	}
	cred, aerr := s.issue(c, req)
	if aerr == nil {
		aerr = s.recordAssume(c, req, cred, nil)
	} else if terr := s.recordAssume(c, req, cred, aerr); terr != nil {
		aerr = terr
	}
	if aerr != nil {
		awsproto.WriteError(w, awsproto.Query, c.RequestID, aerr)
		return
	}
	awsproto.WriteQuery(w, c.RequestID, assumeResponse(c.RequestID, cred))
}

// issue asks the registry for session credentials and maps its refusals to
// STS's errors. An unknown role and an untrusted caller get the same
// AccessDenied, so a caller cannot probe which roles exist.
func (s *Service) issue(c *svc.Call, req assumeRequest) (identity.Credential, *awsproto.Error) {
	if c.Caller.Type == identity.AssumedRole && req.Duration > chainLimit {
		return identity.Credential{}, awsproto.Errorf("ValidationError",
			"The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	cred, err := s.env.IAM.AssumeRole(c.Caller, req.RoleARN, req.Session, req.Duration, c.Now)
	switch {
	case err == nil:
		return cred, nil
	case errors.Is(err, identity.ErrNoSuchRole), errors.Is(err, identity.ErrNotTrusted):
		return cred, &awsproto.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: fmt.Sprintf(
			"User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.Caller.ARN, req.RoleARN)}
	case errors.Is(err, identity.ErrBadDuration):
		return cred, awsproto.Errorf("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	s.env.Logger.Error("assume role", "error", err)
	return cred, &awsproto.Error{Status: http.StatusInternalServerError, Code: "InternalFailure",
		Message: "the sandbox could not store the session credentials", Server: true}
}

type assumeRoleResponse struct {
	XMLName  struct{}                  `xml:"AssumeRoleResponse"`
	Xmlns    string                    `xml:"xmlns,attr"`
	Result   assumeRoleResult          `xml:"AssumeRoleResult"`
	Metadata awsproto.ResponseMetadata `xml:"ResponseMetadata"`
}

type assumeRoleResult struct {
	Credentials struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	} `xml:"Credentials"`
	AssumedRoleUser struct {
		AssumedRoleID string `xml:"AssumedRoleId"`
		Arn           string `xml:"Arn"`
	} `xml:"AssumedRoleUser"`
	PackedPolicySize *int `xml:"PackedPolicySize,omitempty"`
}

func assumeResponse(requestID string, cred identity.Credential) assumeRoleResponse {
	r := assumeRoleResponse{Xmlns: xmlns, Metadata: awsproto.ResponseMetadata{RequestID: requestID}}
	cr := &r.Result.Credentials
	cr.AccessKeyID, cr.SecretAccessKey, cr.SessionToken = cred.AccessKeyID, cred.Secret, cred.SessionToken
	cr.Expiration = cred.Expires.UTC().Format(time.RFC3339)
	r.Result.AssumedRoleUser.AssumedRoleID = cred.Principal.UserID
	r.Result.AssumedRoleUser.Arn = cred.Principal.ARN
	return r
}
