package configsvc_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/configservice"

	"github.com/byok-dev/byok/internal/conformance/backend"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// eachEnv runs body on the in-process sandbox and, when enabled, on AWS
// (package backend), with e.conf acting in the backend's consumer account.
// The body reaches the sandbox itself only through e.sandbox, which skips
// the aws variant with its reason.
func eachEnv(t *testing.T, body func(t *testing.T, e *env)) {
	t.Helper()
	backend.Each(t, func(t *testing.T, be *backend.Backend) {
		e := &env{be: be, acct: be.Consumer, region: be.Region,
			conf: configservice.NewFromConfig(be.Config(t, be.Consumer), func(o *configservice.Options) { o.RetryMaxAttempts = 1 })}
		body(t, e)
	})
}

// sandbox is the sandbox behind e for what only a sandbox can do (issue
// result tokens, seed, move the clock); on AWS it skips saying why.
func (e *env) sandbox(t testing.TB, why string) *sandboxrun.Sandbox {
	t.Helper()
	return e.be.RequireSandbox(t, why)
}

// unique is a resource name unique to the run.
func (e *env) unique(kind string) string { return e.be.Unique(kind) }

// The aws variant of the converted tests, against `byok sandbox` run as a
// separate process and reached only through its endpoint and credentials.
func TestAWSVariantOnSandboxProcess(t *testing.T) {
	backend.RunOnProcess(t, "TestComplianceByResource", "TestComplianceByResourceErrors", "TestDiscoveryErrors")
}
