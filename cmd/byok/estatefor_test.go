package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestResolveEstateForAWS(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chdir(wd) })
	t.Setenv("BYOK_ESTATE", "")
	cases := map[string]struct {
		endpoint string
		want     error
	}{
		"real AWS, no estate file": {"", errNoEstate},
		"sandbox, no estate file":  {"http://127.0.0.1:4566", nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL", tc.endpoint)
			var stderr bytes.Buffer
			est, _, err := resolveEstateForAWS("", &stderr)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.want == nil && (est == nil || !bytes.Contains(stderr.Bytes(), []byte("embedded example"))) {
				t.Fatalf("sandbox fallback: estate %v, stderr %q", est, stderr.String())
			}
		})
	}
	// An explicit file always wins and is never replaced by the example.
	t.Setenv("AWS_ENDPOINT_URL", "")
	if _, _, err := resolveEstateForAWS(filepath.Join(dir, "missing.yaml"), &bytes.Buffer{}); err == nil || errors.Is(err, errNoEstate) {
		t.Fatalf("missing explicit file: %v, want a read error naming it", err)
	}
}
