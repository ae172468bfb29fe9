package report

import "github.com/byok-dev/byok/internal/compliance"

// Severity ranks a result for ASFF and OCSF. The zero value is invalid.
type Severity int

// Severities, in the order ASFF and OCSF share (OCSF severity_id = value).
const (
	SeverityUnknown Severity = iota
	SeverityInformational
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityLabels = [...]string{"UNKNOWN", "INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
var severityCaptions = [...]string{"Unknown", "Informational", "Low", "Medium", "High", "Critical"}

// Label is the ASFF Severity.Label.
func (s Severity) Label() string {
	if s < 0 || int(s) >= len(severityLabels) {
		return severityLabels[0]
	}
	return severityLabels[s]
}

// Caption is the OCSF severity caption.
func (s Severity) Caption() string {
	if s < 0 || int(s) >= len(severityCaptions) {
		return severityCaptions[0]
	}
	return severityCaptions[s]
}

// SeverityOf ranks a result: passes and not-applicable are informational,
// missing data is low; among failures, data about to become unreadable
// (key pending deletion, material expiring) is critical, a resource that is
// unencrypted, cannot use its key now, or does not use the estate key it
// names is high, and the rest (age, wrong or unmanaged key) is medium.
func SeverityOf(r compliance.Result) Severity {
	switch r.Verdict {
	case compliance.Compliant, compliance.NotApplicable, compliance.Exempted:
		return SeverityInformational
	case compliance.InsufficientData:
		return SeverityLow
	case compliance.NonCompliant:
		switch r.Reason {
		case compliance.ReasonKeyPendingDeletion, compliance.ReasonMaterialExpiring:
			return SeverityCritical
		case compliance.ReasonUnencrypted, compliance.ReasonKeyDisabled, compliance.ReasonKeyPendingImport,
			compliance.ReasonAliasInOwnAccount:
			return SeverityHigh
		}
		return SeverityMedium
	}
	return SeverityUnknown
}
