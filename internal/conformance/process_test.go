package conformance_test

import (
	"testing"

	"github.com/byok-dev/byok/internal/conformance/backend"
)

// The aws variant of this package's tests, against `byok sandbox` run as a
// separate process and reached only through its endpoint and credentials.
func TestAWSVariantOnSandboxProcess(t *testing.T) {
	backend.RunOnProcess(t, "TestPutEvaluationsConstraints", "TestConfigReadErrors", "TestImportSemantics",
		"TestKMSNotFound", "TestRuleReadsRecordedBucket")
}
