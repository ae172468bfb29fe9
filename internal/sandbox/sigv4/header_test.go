package sigv4

import (
	"net/http"
	"strings"
	"testing"
)

// reference is SigV4's canonical header value as the specification
// states it: values trimmed, inner whitespace runs collapsed to one
// space, joined by commas.
func reference(vals []string) string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

func canonicalValue(r *http.Request, name string) string {
	var b strings.Builder
	writeHeaderValue(&b, r, name)
	return b.String()
}

func TestCanonicalHeaderValue(t *testing.T) {
	for name, vals := range map[string][]string{
		"plain":         {"application/x-amz-json-1.1"},
		"inner spaces":  {"a  b   c"},
		"edges":         {"  padded  "},
		"tab":           {"a\tb"},
		"two values":    {"one", " two "},
		"empty":         {""},
		"only spaces":   {"   "},
		"unicode space": {"a\u00a0b"},
	} {
		t.Run(name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "http://example/", nil)
			for _, v := range vals {
				r.Header.Add("X-Amz-Test", v)
			}
			if got, want := canonicalValue(r, "x-amz-test"), reference(vals); got != want {
				t.Fatalf("canonical value of %q = %q, want %q", vals, got, want)
			}
		})
	}
}

func TestCanonicalHostAndContentLength(t *testing.T) {
	r, _ := http.NewRequest(http.MethodPut, "http://bucket.example:8080/k", strings.NewReader("12345"))
	if got := canonicalValue(r, "host"); got != "bucket.example:8080" {
		t.Fatalf("host %q", got)
	}
	if got := canonicalValue(r, "content-length"); got != "5" {
		t.Fatalf("content-length %q, want 5 (from the request, no header)", got)
	}
}

// FuzzCanonicalHeaderValue: the fast path agrees with the specification's
// definition for any value.
func FuzzCanonicalHeaderValue(f *testing.F) {
	for _, s := range []string{"", " ", "a b", "a  b", " a", "a ", "a\tb", "x\u2003y", "v1,v2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		r, _ := http.NewRequest(http.MethodGet, "http://example/", nil)
		r.Header["X-Amz-Test"] = []string{v}
		if got, want := canonicalValue(r, "x-amz-test"), reference([]string{v}); got != want {
			t.Fatalf("canonical value of %q = %q, want %q", v, got, want)
		}
	})
}
