package main

import (
	"io"
	"strings"
	"testing"
)

func TestParseFaultAfter(t *testing.T) {
	r, err := parseFaultAfter("kms:ImportKeyMaterial:0.5")
	if err != nil || !r.After || r.Service != "kms" || r.Operation != "ImportKeyMaterial" || r.Probability != 0.5 || r.Status != 500 {
		t.Fatalf("parseFaultAfter = %+v, %v", r, err)
	}
	if r, err := parseFaultAfter("kms:*:1"); err != nil || r.Operation != "" {
		t.Fatalf("wildcard: %+v, %v", r, err)
	}
	for in, want := range map[string]string{
		"kms:ImportKeyMaterial":     "want service:Operation:probability",
		":CreateKey:0.5":            "want service:Operation:probability",
		"kms:CreateKey:0":           "probability must be a number in (0, 1]",
		"kms:CreateKey:1.5":         "probability must be a number in (0, 1]",
		"kms:CreateKey:half":        "probability must be a number in (0, 1]",
		"kms:CreateKey:Throttle:.5": "want service:Operation:probability",
	} {
		if _, err := parseFaultAfter(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseFaultAfter(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestSandboxFlagFaultAfter(t *testing.T) {
	f, err := parseSandboxFlags([]string{"--fault-after", "kms:CreateKey:0.5", "--fault", "kms:Encrypt:ThrottlingException:0.1"}, io.Discard)
	if err != nil || len(f.faults) != 2 || !f.faults[0].After || f.faults[1].After {
		t.Fatalf("flags = %+v, %v", f, err)
	}
}
