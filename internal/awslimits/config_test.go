package awslimits

import (
	"strings"
	"testing"
)

func TestAnnotation(t *testing.T) {
	tests := map[string]struct {
		in, fallback string
		wantChars    int
		wantCut      bool
	}{
		"empty uses fallback":         {"", "COMPLIANT", 9, false},
		"empty without fallback":      {"", "", 1, false},
		"short kept":                  {"MATERIAL_OVERDUE: x", "", 19, false},
		"256 ASCII kept":              {strings.Repeat("a", 256), "", 256, false},
		"257 ASCII cut":               {strings.Repeat("a", 257), "", 256, true},
		"256 two-byte chars kept":     {strings.Repeat("é", 256), "", 256, false},
		"300 four-byte chars cut":     {strings.Repeat("🔑", 300), "", 256, true},
		"invalid UTF-8 counted bytes": {strings.Repeat("\xff", 300), "", 256, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Annotation(tc.in, tc.fallback)
			if Chars(got) != tc.wantChars || !ValidAnnotation(got) {
				t.Fatalf("Annotation = %d chars (valid %v), want %d", Chars(got), ValidAnnotation(got), tc.wantChars)
			}
			if cut := strings.HasSuffix(got, ellipsis) && got != tc.in; cut != tc.wantCut {
				t.Fatalf("cut = %v, want %v", cut, tc.wantCut)
			}
		})
	}
}

func TestValidAnnotation(t *testing.T) {
	tests := map[string]struct {
		in   string
		want bool
	}{
		"empty":            {"", false},
		"one":              {"a", true},
		"256 chars":        {strings.Repeat("é", 256), true},
		"257 chars":        {strings.Repeat("a", 257), false},
		"512 bytes 256 ch": {strings.Repeat("é", 256), true},
	}
	for name, tc := range tests {
		if got := ValidAnnotation(tc.in); got != tc.want {
			t.Errorf("%s: ValidAnnotation = %v, want %v", name, got, tc.want)
		}
	}
}

func FuzzAnnotation(f *testing.F) {
	for _, s := range []string{"", "a", strings.Repeat("é", 300), "\xff\xfe", strings.Repeat("🔑", 257)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Annotation(s, "x")
		if !ValidAnnotation(got) {
			t.Fatalf("Annotation(%q) = %q: %d chars", s, got, Chars(got))
		}
		if Chars(s) >= MinAnnotation && Chars(s) <= MaxAnnotation && got != s {
			t.Fatalf("valid annotation changed: %q → %q", s, got)
		}
	})
}
