package configrule

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Params are the rule parameters (ruleParameters). Zero values mean "not
// given": the estate file's policy applies.
type Params struct {
	MaxKeyAge      time.Duration // maxKeyAgeDays
	ExpiryWarning  time.Duration // expiryWarningDays
	EstateS3URI    string        // estateS3Uri, s3://bucket/key
	EstateSSMParam string        // estateSsmParameter, a parameter name
	// ExecutionRoleName (executionRoleName) is the role, in each member
	// account, that the function assumes to call PutEvaluations there. It
	// takes precedence over the event's executionRoleArn, which in an
	// organization is Config's service-linked role (AWS's sample rules
	// use the same parameter).
	ExecutionRoleName string
}

var paramNames = []string{"maxKeyAgeDays", "expiryWarningDays", "estateS3Uri", "estateSsmParameter", "executionRoleName"}

// roleNameRE is IAM's role name syntax (CreateRole RoleName), without a path.
var roleNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// ParseParams decodes ruleParameters. Config passes every value as a
// string; numbers are accepted too. Unknown names are errors, so a typo
// cannot silently fall back to defaults.
func ParseParams(s string) (Params, error) {
	var p Params
	if strings.TrimSpace(s) == "" {
		return p, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return p, fieldErr(ErrParameters, "ruleParameters", `write a JSON object, e.g. {"maxKeyAgeDays":"365"}`, "not a JSON object: %v", err)
	}
	for k, raw := range m {
		v, err := paramString(raw)
		if err != nil {
			return p, fieldErr(ErrParameters, "ruleParameters."+k, "give a string or a number", "%v", err)
		}
		if err := p.set(k, v); err != nil {
			return p, err
		}
	}
	if p.EstateS3URI != "" && p.EstateSSMParam != "" {
		return p, fieldErr(ErrParameters, "ruleParameters", "keep only one of estateS3Uri and estateSsmParameter", "both estate locations given")
	}
	return p, nil
}

func (p *Params) set(k, v string) error {
	switch k {
	case "maxKeyAgeDays":
		return days(&p.MaxKeyAge, k, v)
	case "expiryWarningDays":
		return days(&p.ExpiryWarning, k, v)
	case "estateS3Uri":
		if _, _, err := splitS3URI(v); err != nil {
			return err
		}
		p.EstateS3URI = v
	case "estateSsmParameter":
		if v == "" {
			return fieldErr(ErrParameters, "ruleParameters."+k, "name the SSM parameter, e.g. /byok/estate", "empty")
		}
		p.EstateSSMParam = v
	case "executionRoleName":
		if !roleNameRE.MatchString(v) {
			return fieldErr(ErrParameters, "ruleParameters."+k, "give the role's name (not its ARN), e.g. byok-config-rule-member", "%q is not an IAM role name", v)
		}
		p.ExecutionRoleName = v
	default:
		return fieldErr(ErrParameters, "ruleParameters."+k, "known parameters: "+strings.Join(paramNames, ", "), "unknown parameter")
	}
	return nil
}

func days(dst *time.Duration, k, v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > 3650 {
		return fieldErr(ErrParameters, "ruleParameters."+k, "a whole number of days between 1 and 3650", "%q is not a valid number of days", v)
	}
	*dst = time.Duration(n) * 24 * time.Hour
	return nil
}

func paramString(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", err
	}
	return n.String(), nil
}

// splitS3URI splits s3://bucket/key.
func splitS3URI(u string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	bucket, key, _ = strings.Cut(rest, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", fieldErr(ErrParameters, "ruleParameters.estateS3Uri", "write s3://bucket/path/byok.yaml", "%q is not an s3:// object URI", u)
	}
	return bucket, key, nil
}
