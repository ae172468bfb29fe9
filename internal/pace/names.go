package pace

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// requestRateSuffix ends the name of every KMS request quota in Service
// Quotas ("GetParametersForImport request rate", "Cryptographic
// operations (symmetric) request rate").
const requestRateSuffix = " request rate"

// ErrNotRequestRate is returned by ParseQuotaName for a Service Quotas name
// that does not name a request-rate quota (a resource quota such as
// "Customer Master Keys (CMKs)").
var ErrNotRequestRate = errors.New("not a request-rate quota")

// ErrBadQuotaName is returned by ParseQuotaName for an empty or malformed
// name.
var ErrBadQuotaName = errors.New("malformed quota name")

// ParseQuotaName maps a Service Quotas quota name to the table's quota
// name. Codes (L-…) differ between services and are not matched: names
// are what AWS documents beside the rates.
func ParseQuotaName(s string) (string, error) {
	if s == "" || len(s) > 256 {
		return "", fmt.Errorf("%w: %d characters", ErrBadQuotaName, len(s))
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return "", fmt.Errorf("%w: %q has a control or invalid character", ErrBadQuotaName, s)
		}
	}
	name, ok := strings.CutSuffix(s, requestRateSuffix)
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrNotRequestRate, s)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return "", fmt.Errorf("%w: %q names no operation", ErrBadQuotaName, s)
	}
	return name, nil
}

// ServiceQuotaName is the Service Quotas name of q.
func ServiceQuotaName(q Quota) string { return q.Name + requestRateSuffix }
