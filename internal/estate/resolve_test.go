package estate

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	write := func(dir, name, security string) string {
		doc := withLines(map[int]string{1: `security_account: "` + security + `"`,
			5: `  operator: "arn:aws:iam::` + security + `:role/byok-operator"`})
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	flagFile := write(dir, "flag.yaml", "444444444444")
	envFile := write(dir, "env.yaml", "555555555555")
	cases := map[string]struct {
		flag, env    string
		cwdFile      bool
		wantSource   string
		wantSecurity string
		wantErr      error
	}{
		"flag wins":         {flag: flagFile, env: envFile, cwdFile: true, wantSource: flagFile, wantSecurity: "444444444444"},
		"env over cwd":      {env: envFile, cwdFile: true, wantSource: envFile, wantSecurity: "555555555555"},
		"cwd byok.yaml":     {cwdFile: true, wantSource: DefaultFile, wantSecurity: "666666666666"},
		"embedded example":  {wantSource: ExampleSource, wantSecurity: "111111111111"},
		"missing flag file": {flag: filepath.Join(dir, "nope.yaml"), cwdFile: true, wantErr: fs.ErrNotExist},
		"missing env file":  {env: filepath.Join(dir, "nope.yaml"), wantErr: fs.ErrNotExist},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cwd := t.TempDir()
			t.Chdir(cwd)
			t.Setenv(EnvVar, c.env)
			if c.cwdFile {
				write(cwd, DefaultFile, "666666666666")
			}
			e, source, err := Resolve(c.flag)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("err %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil || source != c.wantSource || e.SecurityAccount != c.wantSecurity {
				t.Fatalf("Resolve = %v, %q, %v; want %s from %q", e, source, err, c.wantSecurity, c.wantSource)
			}
		})
	}
}

func TestExampleYAMLIsACopy(t *testing.T) {
	b := ExampleYAML()
	b[0] ^= 0xff
	if ExampleYAML()[0] == b[0] {
		t.Fatal("ExampleYAML returned the embedded slice itself")
	}
}
