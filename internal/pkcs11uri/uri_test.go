package pkcs11uri_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/pkcs11uri"
)

func uintp(n uint) *uint { return &n }

func TestParseAccepts(t *testing.T) {
	tests := map[string]struct {
		in   string
		want pkcs11uri.URI
	}{
		"design example": {
			in:   "pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:BYOK_HSM_PIN",
			want: pkcs11uri.URI{Token: "byok", ModulePath: "/usr/lib/softhsm/libsofthsm2.so", PINSource: pkcs11uri.PINSource{Kind: pkcs11uri.PINSourceEnv, Ref: "BYOK_HSM_PIN"}},
		},
		"percent-encoded label and nss dir": {
			in:   "pkcs11:token=NSS%20Certificate%20DB?module-path=/usr/lib/x86_64-linux-gnu/libsoftokn3.so&x-nss-dir=/tmp/nss%20db&pin-source=file:/run/pin",
			want: pkcs11uri.URI{Token: "NSS Certificate DB", ModulePath: "/usr/lib/x86_64-linux-gnu/libsoftokn3.so", NSSDir: "/tmp/nss db", PINSource: pkcs11uri.PINSource{Kind: pkcs11uri.PINSourceFile, Ref: "/run/pin"}},
		},
		"serial slot object id": {
			in:   "pkcs11:serial=1a2b;slot-id=7;object=byok:run-1;id=%01%ff",
			want: pkcs11uri.URI{Serial: "1a2b", SlotID: uintp(7), Object: "byok:run-1", ID: []byte{1, 0xff}},
		},
		"slot only": {in: "pkcs11:slot-id=0", want: pkcs11uri.URI{SlotID: uintp(0)}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := pkcs11uri.Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Fatalf("Parse = %+v, want %+v", *got, tc.want)
			}
			again, err := pkcs11uri.Parse(got.String())
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Fatalf("String round trip %q: %+v, %v", got.String(), again, err)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	tests := map[string]struct {
		in       string
		wantErr  error
		wantAttr string
	}{
		"scheme":             {"pkcs12:token=a", pkcs11uri.ErrNotPKCS11, ""},
		"no token":           {"pkcs11:object=x?module-path=/m.so", pkcs11uri.ErrNoToken, "token"},
		"empty":              {"pkcs11:", pkcs11uri.ErrNoToken, "token"},
		"pin-value query":    {"pkcs11:token=a?pin-value=1234", pkcs11uri.ErrPINInURI, "pin-value"},
		"pin-value path":     {"pkcs11:token=a;pin-value=1234", pkcs11uri.ErrPINInURI, "pin-value"},
		"unknown path":       {"pkcs11:token=a;manufacturer=x", pkcs11uri.ErrUnknownAttribute, "manufacturer"},
		"unknown query":      {"pkcs11:token=a?module=x", pkcs11uri.ErrUnknownAttribute, "module"},
		"module-name":        {"pkcs11:token=a?module-name=softhsm2", pkcs11uri.ErrUnknownAttribute, "module-name"},
		"duplicate":          {"pkcs11:token=a;token=b", pkcs11uri.ErrDuplicate, "token"},
		"no equals":          {"pkcs11:token", pkcs11uri.ErrSyntax, "token"},
		"bad slot":           {"pkcs11:slot-id=one", pkcs11uri.ErrBadValue, "slot-id"},
		"negative slot":      {"pkcs11:slot-id=-1", pkcs11uri.ErrBadValue, "slot-id"},
		"bad escape":         {"pkcs11:token=a%zz", pkcs11uri.ErrBadEncoding, "token"},
		"empty value":        {"pkcs11:token=", pkcs11uri.ErrBadValue, "token"},
		"pin-source kind":    {"pkcs11:token=a?pin-source=stdin:x", pkcs11uri.ErrBadPINSource, "pin-source"},
		"pin-source env bad": {"pkcs11:token=a?pin-source=env:1X", pkcs11uri.ErrBadPINSource, "pin-source"},
		"pin-source bare":    {"pkcs11:token=a?pin-source=/etc/pin", pkcs11uri.ErrBadPINSource, "pin-source"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := pkcs11uri.Parse(tc.in)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Parse(%q) error = %v, want %v", tc.in, err, tc.wantErr)
			}
			var pe *pkcs11uri.ParseError
			if !errors.As(err, &pe) || pe.Attr != tc.wantAttr || pe.Hint == "" {
				t.Fatalf("error %#v: want *ParseError with Attr %q and a hint", err, tc.wantAttr)
			}
			if strings.Contains(err.Error(), "1234") {
				t.Fatalf("error repeats the PIN: %v", err)
			}
		})
	}
}

const knownPIN = "pin-0815-known"

func TestPIN(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "pin")
	if err := os.WriteFile(good, []byte(knownPIN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(dir, "empty")
	if err := os.WriteFile(emptyFile, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	exposed := map[string]os.FileMode{"group-readable": 0o640, "world-readable": 0o604, "group-writable": 0o620}
	for name, mode := range exposed {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(knownPIN+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("BYOK_TEST_PIN", knownPIN)
	t.Setenv("BYOK_TEST_EMPTY", "")
	tests := map[string]struct {
		uri     string
		wantErr error
	}{
		"env":                 {"pkcs11:token=a?pin-source=env:BYOK_TEST_PIN", nil},
		"file":                {"pkcs11:token=a?pin-source=file:" + good, nil},
		"env unset":           {"pkcs11:token=a?pin-source=env:BYOK_TEST_UNSET_XYZ", pkcs11uri.ErrPINEnvUnset},
		"env empty":           {"pkcs11:token=a?pin-source=env:BYOK_TEST_EMPTY", pkcs11uri.ErrPINEmpty},
		"file missing":        {"pkcs11:token=a?pin-source=file:" + filepath.Join(dir, "nope"), pkcs11uri.ErrPINFileUnreadable},
		"file is dir":         {"pkcs11:token=a?pin-source=file:" + dir, pkcs11uri.ErrPINFileUnreadable},
		"file empty":          {"pkcs11:token=a?pin-source=file:" + emptyFile, pkcs11uri.ErrPINEmpty},
		"file group-readable": {"pkcs11:token=a?pin-source=file:" + filepath.Join(dir, "group-readable"), pkcs11uri.ErrPINFileExposed},
		"file world-readable": {"pkcs11:token=a?pin-source=file:" + filepath.Join(dir, "world-readable"), pkcs11uri.ErrPINFileExposed},
		"file group-writable": {"pkcs11:token=a?pin-source=file:" + filepath.Join(dir, "group-writable"), pkcs11uri.ErrPINFileExposed},
		"file is a device":    {"pkcs11:token=a?pin-source=file:/dev/null", pkcs11uri.ErrPINFileUnreadable},
		"no pin-source":       {"pkcs11:token=a", pkcs11uri.ErrNoPINSource},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			u, err := pkcs11uri.Parse(tc.uri)
			if err != nil {
				t.Fatal(err)
			}
			v, err := u.PIN(context.Background())
			if tc.wantErr == nil {
				if err != nil || v.RevealForHSMLogin() != knownPIN {
					t.Fatalf("PIN: err %v, got the wrong PIN", err)
				}
				return
			}
			var pse *pkcs11uri.PINSourceError
			if !errors.Is(err, tc.wantErr) || !errors.As(err, &pse) || pse.Hint == "" {
				t.Fatalf("PIN error = %v, want *PINSourceError wrapping %v", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), knownPIN) {
				t.Fatalf("error contains the PIN: %v", err)
			}
			if tc.wantErr == pkcs11uri.ErrPINFileExposed && !strings.Contains(pse.Hint, "chmod 600 "+u.PINSource.Ref) {
				t.Fatalf("hint %q does not give the chmod that fixes it", pse.Hint)
			}
		})
	}
}

func TestPINHonoursCancel(t *testing.T) {
	u, _ := pkcs11uri.Parse("pkcs11:token=a?pin-source=env:HOME")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := u.PIN(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:BYOK_HSM_PIN",
		"pkcs11:token=NSS%20Certificate%20DB?x-nss-dir=/tmp/x&pin-source=file:/p",
		"pkcs11:serial=1;slot-id=2;object=o;id=%00%01",
		"pkcs11:token=a?pin-value=1234",
		"pkcs11:token=a;;", "pkcs11:?&", "pkcs11:id=%", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := pkcs11uri.Parse(s)
		if err != nil {
			var pe *pkcs11uri.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			return
		}
		again, err := pkcs11uri.Parse(u.String())
		if err != nil {
			t.Fatalf("canonical %q does not parse: %v", u.String(), err)
		}
		if again.String() != u.String() || !bytes.Equal(again.ID, u.ID) || again.Token != u.Token {
			t.Fatalf("round trip changed %q -> %q", u.String(), again.String())
		}
	})
}
