package configrule_test

import (
	"testing"

	"github.com/byok-dev/byok/internal/conformance/backend"
)

// The aws variant of the rule's end-to-end test on real resources, against
// `byok sandbox` run as a separate process and reached only through its
// endpoint and credentials: what the test needs on AWS, it does through
// public APIs. The seeded end-to-end tests must skip there as sandbox only.
func TestAWSVariantOnSandboxProcess(t *testing.T) {
	backend.RunOnProcess(t, "TestE2ERuleOnRealResources", "TestE2ERuleCrossAccount", "TestE2EConfigAgreesWithScan", "TestE2EResourceChanges",
		"TestE2EOrganizationExecutionRole", "TestE2EThrottlingStorm")
}
