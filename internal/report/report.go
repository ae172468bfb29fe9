package report

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
)

// Format is an output format. The zero value is invalid.
type Format int

// Output formats.
const (
	FormatUnknown Format = iota
	FormatTable
	FormatJSON
	FormatCSV
	FormatASFF
	FormatOCSF
)

var formatNames = [...]string{"unknown", "table", "json", "csv", "asff", "ocsf"}

func (f Format) String() string {
	if f < 0 || int(f) >= len(formatNames) {
		return "unknown"
	}
	return formatNames[f]
}

// FormatNames lists the valid --format values.
func FormatNames() []string { return slices.Clone(formatNames[1:]) }

// ErrUnknownFormat is returned by ParseFormat and Write for a format that
// does not exist.
var ErrUnknownFormat = errors.New("unknown output format")

// ParseFormat reads a --format value (case-insensitive).
func ParseFormat(s string) (Format, error) {
	for i, name := range formatNames[1:] {
		if strings.EqualFold(s, name) {
			return Format(i + 1), nil
		}
	}
	return FormatUnknown, fmt.Errorf("%w %q: use one of %s", ErrUnknownFormat, s, strings.Join(FormatNames(), ", "))
}

// Meta describes the scan that produced the results.
type Meta struct {
	ScanTime        time.Time // when the scan ran; every output timestamp
	Estate          string    // the estate file
	SecurityAccount string
	Accounts        []string // accounts scanned
	Regions         []string // regions scanned
	Errors          []ScanError
	Version         string // byok version ("dev" when empty)
}

// ScanError is a failure to inventory one account/region (or service in it).
type ScanError struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Service string `json:"service,omitempty"`
	Message string `json:"message"`
}

// Report is what the writers render.
type Report struct {
	Meta    Meta
	Results []compliance.Result
	// Keys are the facts of the keys the results name, by key ARN (the
	// alias, material, age and ValidTo fields of JSON, CSV and ASFF).
	Keys map[string]compliance.KeyFacts
}

// Options tune the writers that have options.
type Options struct {
	Color bool // table only: ANSI colours for verdicts
}

// sorted returns the results in output order, leaving the input alone.
func sorted(results []compliance.Result) []compliance.Result {
	out := slices.Clone(results)
	slices.SortStableFunc(out, Less)
	return out
}

func version(m Meta) string {
	if m.Version == "" {
		return "dev"
	}
	return m.Version
}

// resourceID is the resource's ARN, else its Config resource ID.
func resourceID(r compliance.Resource) string {
	if r.ARN != "" {
		return r.ARN
	}
	return r.ID
}

// partition is the AWS partition of a resource, from its ARN or region.
func partition(r compliance.Resource) string {
	if rest, ok := strings.CutPrefix(r.ARN, "arn:"); ok {
		if p, _, ok := strings.Cut(rest, ":"); ok && p != "" {
			return p
		}
	}
	return compliance.PartitionOf(r.Region)
}
