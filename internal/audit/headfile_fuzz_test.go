package audit

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadHeadFile: any head file content either reads as a well-formed
// head or is refused as a *BreakError (ErrHeadMismatch); it never panics,
// and a head it accepts verifies against itself.
func FuzzReadHeadFile(f *testing.F) {
	for _, s := range []string{
		`{"version":1,"seq":3,"hash":"ab"}`,
		`{"version":1,"seq":3,"hash":"ab","pending":{"Seq":4,"Hash":"cd"}}`,
		`{"version":1,"seq":0,"hash":""}`,
		`{"version":2,"seq":3,"hash":"ab"}`,
		`{"version":1,"seq":-1,"hash":"ab"}`,
		`{"version":1,"seq":0,"hash":"ab"}`,
		``, `null`, `{`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "state.db"+HeadFileSuffix)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		h, ok, err := readHeadFile(path)
		if !ok {
			t.Fatal("an existing head file read as absent")
		}
		if err != nil {
			var be *BreakError
			if !errors.As(err, &be) || !errors.Is(err, ErrHeadMismatch) {
				t.Fatalf("refusal %v is not a head mismatch", err)
			}
			return
		}
		self := Head{Seq: h.Seq, Hash: h.Hash}
		if h.Seq == 0 {
			self.Hash = GenesisHash
		}
		if p := checkHeadFile(path, self, h, true); p != nil {
			t.Fatalf("head %+v does not verify against itself: %v", h, p)
		}
	})
}
