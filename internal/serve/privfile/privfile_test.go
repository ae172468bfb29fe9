package privfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	const good = "0123456789abcdef0123456789abcdef"
	tests := map[string]struct {
		content string
		mode    os.FileMode
		want    error
	}{
		"ok":           {good + "\n", 0o600, nil},
		"owner only r": {good, 0o400, nil},
		"group read":   {good, 0o640, ErrTooOpen},
		"world read":   {good, 0o604, ErrTooOpen},
		"empty":        {"  \n", 0o600, ErrEmpty},
		"short":        {"abc", 0o600, ErrShort},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
			if err := os.WriteFile(p, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, tc.mode); err != nil {
				t.Fatal(err)
			}
			b, err := Read(p)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Read = %v, want %v", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), good) {
				t.Fatal("the error shows the secret")
			}
			if err == nil && string(b) != good {
				t.Fatalf("content %q", b)
			}
		})
	}
	if _, err := Read(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}
