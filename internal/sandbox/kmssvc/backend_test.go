package kmssvc_test

import (
	"testing"

	"github.com/byok-dev/byok/internal/conformance/backend"
	"github.com/byok-dev/byok/internal/sandbox"
)

// eachBackend runs body on the in-process sandbox and, when enabled, on
// AWS (package backend): h.a and h.b act in the backend's Security and
// consumer accounts, h.accA, h.accB and h.reg name them, and every key or
// alias the body creates is cleaned up. A body reaches the sandbox itself
// only through h.sandbox, which skips the aws variant with its reason.
func eachBackend(t *testing.T, body func(t *testing.T, h *harness)) {
	t.Helper()
	backend.Each(t, func(t *testing.T, be *backend.Backend) {
		h := &harness{be: be, accA: be.Security, accB: be.Consumer, reg: be.Region,
			a: be.KMS(t, be.Security), b: be.KMS(t, be.Consumer)}
		body(t, h)
	})
}

// sandbox is the server behind h for an assertion only a sandbox can
// make; on AWS it skips the test saying why.
func (h *harness) sandbox(t testing.TB, why string) *sandbox.Server {
	t.Helper()
	if h.be == nil {
		return h.srv
	}
	return h.be.RequireSandbox(t, why).Server
}

// endpoint is the sandbox's URL (sandbox only).
func (h *harness) endpoint(t testing.TB) string {
	t.Helper()
	if h.be == nil {
		return h.url
	}
	return h.be.RequireSandbox(t, "a sandbox endpoint").URL()
}

// alias is an alias name unique to the run (aliases are per account and
// Region, and a test account has its own).
func (h *harness) alias(kind string) string {
	if h.be == nil {
		return "alias/" + kind
	}
	return "alias/" + h.be.Unique(kind)
}

// The aws variant of the converted tests, against `byok sandbox` run as a
// separate process and reached only through its endpoint and credentials.
func TestAWSVariantOnSandboxProcess(t *testing.T) {
	backend.RunOnProcess(t, "TestCreateDescribeListKeys", "TestKeyRefErrors", "TestEnableDisableAndDeletion",
		"TestTagsAndPolicy", "TestCryptographicOperations", "TestAliases", "TestImportEveryWrappingAlgorithm",
		"TestImportErrors", "TestExpiredImportToken", "TestExpiredMaterialGoesPendingImportAndReimports",
		"TestDeleteImportedKeyMaterial", "TestCrossAccountUse")
}
