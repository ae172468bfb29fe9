package demo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMissingSoftHSMFailsWithHint(t *testing.T) {
	dir := t.TempDir()
	_, err := Run(context.Background(), Options{Dir: filepath.Join(dir, "demo"), ReportDir: dir,
		Module: filepath.Join(dir, "no-such-libsofthsm2.so")})
	if !errors.Is(err, ErrPrerequisite) {
		t.Fatalf("Run with no SoftHSM2 module: %v, want ErrPrerequisite", err)
	}
	var pe *PrerequisiteError
	if !errors.As(err, &pe) || !strings.Contains(pe.Hint, "scripts/setup.sh") || !strings.Contains(pe.Hint, "make setup") {
		t.Fatalf("error %v: want a *PrerequisiteError whose hint names scripts/setup.sh and make setup", err)
	}
	if _, err := os.Stat(filepath.Join(dir, JSONReportName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a demo that could not stand up wrote a report (stat: %v)", err)
	}
	if _, ok := os.LookupEnv(pinEnv); ok {
		t.Errorf("%s left in the environment after a failed demo", pinEnv)
	}
}
