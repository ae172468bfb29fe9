package secret_test

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/secret"
)

const pin = "s3cr3t-PIN-4711"

func TestPrintingNeverShowsTheSecret(t *testing.T) {
	v := secret.FromString(pin)
	type holder struct {
		PIN  secret.Value
		Name string
	}
	h := holder{PIN: v, Name: "x"}
	for _, verb := range []string{"%s", "%v", "%+v", "%#v", "%q", "%x", "%X", "%d", "%T%v"} {
		for name, arg := range map[string]any{"value": v, "pointer": &v, "struct": h, "structptr": &h} {
			got := fmt.Sprintf(verb, arg)
			if strings.Contains(got, pin) || strings.Contains(got, fmt.Sprintf("%x", pin)) {
				t.Errorf("%s of %s leaked the secret: %q", verb, name, got)
			}
		}
	}
	if got := fmt.Sprint(v); got != secret.Redacted {
		t.Errorf("Sprint = %q, want %q", got, secret.Redacted)
	}
	if got := v.String(); got != secret.Redacted {
		t.Errorf("String = %q", got)
	}
}

func TestLoggingNeverShowsTheSecret(t *testing.T) {
	var buf bytes.Buffer
	for name, h := range map[string]slog.Handler{
		"text": slog.NewTextHandler(&buf, nil),
		"json": slog.NewJSONHandler(&buf, nil),
	} {
		buf.Reset()
		slog.New(h).Info("login", "pin", secret.FromString(pin), slog.Any("any", secret.FromString(pin)))
		if strings.Contains(buf.String(), pin) || !strings.Contains(buf.String(), secret.Redacted) {
			t.Errorf("%s handler output %q", name, buf.String())
		}
	}
}

func TestMarshallingFails(t *testing.T) {
	v := secret.FromString(pin)
	if _, err := json.Marshal(struct{ PIN secret.Value }{v}); !errors.Is(err, secret.ErrNotMarshalable) {
		t.Errorf("json.Marshal error = %v, want ErrNotMarshalable", err)
	}
	if _, err := v.MarshalText(); !errors.Is(err, secret.ErrNotMarshalable) {
		t.Errorf("MarshalText error = %v", err)
	}
	if _, err := v.MarshalBinary(); !errors.Is(err, secret.ErrNotMarshalable) {
		t.Errorf("MarshalBinary error = %v", err)
	}
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(struct{ PIN secret.Value }{v})
	if !errors.Is(err, secret.ErrNotMarshalable) {
		t.Errorf("gob error = %v, want ErrNotMarshalable", err)
	}
	if strings.Contains(buf.String(), pin) {
		t.Error("gob wrote the secret")
	}
}

func TestRevealAndDestroy(t *testing.T) {
	b := []byte(pin)
	v := secret.New(b)
	cp := v
	if got := cp.RevealForHSMLogin(); got != pin {
		t.Fatalf("RevealForHSMLogin = %q", got)
	}
	if v.Len() != len(pin) || v.IsEmpty() {
		t.Fatalf("Len = %d, IsEmpty = %v", v.Len(), v.IsEmpty())
	}
	v.Destroy()
	if !bytes.Equal(b, make([]byte, len(pin))) {
		t.Errorf("Destroy left %q in the caller's buffer", b)
	}
	if !cp.IsEmpty() || cp.RevealForHSMLogin() != "" {
		t.Error("a copy still holds the secret after Destroy")
	}
	var zero secret.Value
	zero.Destroy()
	if !zero.IsEmpty() || zero.RevealForHSMLogin() != "" || zero.Len() != 0 {
		t.Error("zero Value is not empty")
	}
}

func TestEqual(t *testing.T) {
	tests := map[string]struct {
		a, b secret.Value
		want bool
	}{
		"same":       {secret.FromString("1234"), secret.FromString("1234"), true},
		"different":  {secret.FromString("1234"), secret.FromString("1235"), false},
		"length":     {secret.FromString("1234"), secret.FromString("12345"), false},
		"both zero":  {secret.Value{}, secret.Value{}, true},
		"zero/empty": {secret.Value{}, secret.FromString(""), true},
	}
	for name, tc := range tests {
		if got := tc.a.Equal(tc.b); got != tc.want {
			t.Errorf("%s: Equal = %v, want %v", name, got, tc.want)
		}
	}
}
