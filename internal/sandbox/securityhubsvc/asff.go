package securityhubsvc

import (
	"fmt"
	"regexp"
	"slices"
	"time"
)

// ASFF validation as Security Hub reports it in FailedFindings: ErrorCode
// InvalidInput and a message "Finding does not adhere to Amazon Finding
// Format. data… …" naming the first problem (the JSON-schema wording AWS
// returns, e.g. "data.Title should NOT be shorter than 1 characters.").

// MaxFindingBytes is the largest finding Security Hub accepts (240 KB).
const MaxFindingBytes = 240 * 1024

const asffPrefix = "Finding does not adhere to Amazon Finding Format. "

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	typeRE    = regexp.MustCompile(`^([^/]+)(/[^/]+){0,2}$`)
	// stringLimits are the ASFF's length limits of the top-level strings.
	stringLimits = []struct {
		name     string
		min, max int
	}{
		{"SchemaVersion", 1, 128}, {"Id", 1, 512}, {"ProductArn", 1, 512}, {"GeneratorId", 1, 512},
		{"AwsAccountId", 1, 12}, {"CreatedAt", 1, 64}, {"UpdatedAt", 1, 64}, {"Title", 1, 256}, {"Description", 1, 1024},
	}
	severityLabels   = []string{"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
	complianceStates = []string{"PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"}
	workflowStates   = []string{"NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"}
	recordStates     = []string{"ACTIVE", "ARCHIVED"}
)

// asffError is one validation failure, worded as AWS words it.
func asffError(format string, args ...any) error {
	return fmt.Errorf(asffPrefix+format, args...)
}

// validateASFF checks the required attributes, their lengths, formats and
// enumerations.
func validateASFF(f map[string]any) error {
	for _, l := range stringLimits {
		v, present := f[l.name]
		s, isString := v.(string)
		switch {
		case !present:
			return asffError("data should have required property '%s'.", l.name)
		case !isString:
			return asffError("data.%s should be string.", l.name)
		case len(s) < l.min:
			return asffError("data.%s should NOT be shorter than %d characters.", l.name, l.min)
		case len(s) > l.max:
			return asffError("data.%s should NOT be longer than %d characters.", l.name, l.max)
		}
	}
	if !accountRE.MatchString(f["AwsAccountId"].(string)) {
		return asffError("data.AwsAccountId should match pattern \"^[0-9]{12}$\".")
	}
	for _, name := range []string{"CreatedAt", "UpdatedAt"} {
		if _, err := time.Parse(time.RFC3339Nano, f[name].(string)); err != nil {
			return asffError("data.%s should match format \"date-time\".", name)
		}
	}
	if err := validateResources(f["Resources"]); err != nil {
		return err
	}
	if err := validateSeverityAndTypes(f); err != nil {
		return err
	}
	return validateStates(f)
}

func validateResources(v any) error {
	rs, ok := v.([]any)
	switch {
	case v == nil:
		return asffError("data should have required property 'Resources'.")
	case !ok:
		return asffError("data.Resources should be array.")
	case len(rs) < 1:
		return asffError("data.Resources should NOT have fewer than 1 items.")
	case len(rs) > 32:
		return asffError("data.Resources should NOT have more than 32 items.")
	}
	for i, r := range rs {
		m, ok := r.(map[string]any)
		if !ok {
			return asffError("data.Resources[%d] should be object.", i)
		}
		for _, name := range []string{"Type", "Id"} {
			if s, _ := m[name].(string); s == "" {
				return asffError("data.Resources[%d].%s should NOT be shorter than 1 characters.", i, name)
			}
		}
	}
	return nil
}

// validateSeverityAndTypes: a finding needs Severity and Types either at
// the top level or in FindingProviderFields.
func validateSeverityAndTypes(f map[string]any) error {
	fpf, _ := f["FindingProviderFields"].(map[string]any)
	sev, _ := f["Severity"].(map[string]any)
	if fs, ok := fpf["Severity"].(map[string]any); ok && sev == nil {
		sev = fs
	}
	if sev == nil {
		return asffError("data should have required property 'FindingProviderFields', data should match some schema in anyOf.")
	}
	if label, ok := sev["Label"].(string); ok && !slices.Contains(severityLabels, label) {
		return asffError("data.Severity.Label should be equal to one of the allowed values.")
	}
	types, ok := f["Types"].([]any)
	if !ok {
		types, ok = fpf["Types"].([]any)
	}
	if !ok {
		return asffError("data should have required property 'Types', data should match some schema in anyOf.")
	}
	for i, t := range types {
		if s, _ := t.(string); !typeRE.MatchString(s) {
			return asffError("data.Types[%d] should match pattern \"^([^/]+)(/[^/]+){0,2}$\".", i)
		}
	}
	return nil
}

func validateStates(f map[string]any) error {
	if v, ok := f["RecordState"]; ok {
		if s, _ := v.(string); !slices.Contains(recordStates, s) {
			return asffError("data.RecordState should be equal to one of the allowed values.")
		}
	}
	if c, ok := f["Compliance"].(map[string]any); ok {
		if s, present := c["Status"]; present && !slices.Contains(complianceStates, fmt.Sprint(s)) {
			return asffError("data.Compliance.Status should be equal to one of the allowed values.")
		}
	}
	if w, ok := f["Workflow"].(map[string]any); ok {
		if s, present := w["Status"]; present && !slices.Contains(workflowStates, fmt.Sprint(s)) {
			return asffError("data.Workflow.Status should be equal to one of the allowed values.")
		}
	}
	return nil
}
