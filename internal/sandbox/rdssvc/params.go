package rdssvc

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

// params is a decoded Query request.
type params url.Values

func (p params) str(name string) string { return url.Values(p).Get(name) }

func (p params) has(name string) bool { _, ok := p[name]; return ok }

func (p params) required(name string) (string, *awsproto.Error) {
	v := p.str(name)
	if v == "" {
		return "", awsproto.Errorf("MissingParameter", "The request must contain the parameter %s", name)
	}
	return v, nil
}

// int32 reads an optional integer; def when absent.
func (p params) int32(name string, def int32) (int32, *awsproto.Error) {
	v := p.str(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0, awsproto.Errorf("InvalidParameterValue", "Invalid value %s for %s. Must be an integer.", v, name)
	}
	return int32(n), nil
}

// bool reads an optional boolean (the SDK sends "true"/"false").
func (p params) bool(name string) (bool, *awsproto.Error) {
	switch v := p.str(name); strings.ToLower(v) {
	case "":
		return false, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	default:
		return false, awsproto.Errorf("InvalidParameterValue", "Invalid value %s for %s. Must be true or false.", v, name)
	}
}

// identifier reads and validates a DB instance, cluster or snapshot
// identifier. RDS stores identifiers in lowercase.
func (p params) identifier(name string) (string, *awsproto.Error) {
	v, err := p.required(name)
	if err != nil {
		return "", err
	}
	if !validIdentifier(v) {
		return "", awsproto.Errorf("InvalidParameterValue", "The parameter %s is not a valid identifier. "+
			"Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; "+
			"and must not end with a hyphen or contain two consecutive hyphens.", name)
	}
	return strings.ToLower(v), nil
}

func validIdentifier(v string) bool {
	if len(v) == 0 || len(v) > 63 || !isLetter(v[0]) || v[len(v)-1] == '-' || strings.Contains(v, "--") {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !isLetter(c) && !(c >= '0' && c <= '9') && c != '-' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// idFromRef accepts an identifier or its ARN (RDS accepts both for
// snapshot sources and cluster identifiers).
func idFromRef(ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		if i := strings.LastIndexByte(ref, ':'); i >= 0 {
			return strings.ToLower(ref[i+1:])
		}
	}
	return strings.ToLower(ref)
}

func notFound(code, what, id string) *awsproto.Error {
	return &awsproto.Error{Status: http.StatusNotFound, Code: code, Message: what + " " + id + " not found."}
}

func combination(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf("InvalidParameterCombination", format, args...)
}

func invalidValue(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf("InvalidParameterValue", format, args...)
}
