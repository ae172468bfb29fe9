package sandboxrun_test

import (
	"os"
	"os/exec"
	"testing"
)

// TestAWSCLI runs scripts/awscli-check.sh: Debian's AWS CLI, an independent
// client, through the BYOK import flow against `byok sandbox`. Without
// /usr/bin/aws it skips locally but fails under CI.
func TestAWSCLI(t *testing.T) {
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("/usr/bin/aws is missing under CI: the setup step must apt-get install awscli")
		}
		t.Skip("SKIPPING the AWS CLI check: /usr/bin/aws is missing (apt-get install awscli)")
	}
	cmd := exec.Command("../../../scripts/awscli-check.sh", byokBinary(t))
	cmd.Env = append(os.Environ(), "AWS=/usr/bin/aws")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("awscli-check.sh: %v", err)
	}
}
