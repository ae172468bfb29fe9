package awslimits

import "unicode/utf8"

// AWS Config PutEvaluations limits (AWS Config API Reference,
// PutEvaluations and Evaluation).
const (
	// MaxEvaluations is the most evaluations one PutEvaluations call takes.
	MaxEvaluations = 100
	// MinAnnotation and MaxAnnotation bound Evaluation.Annotation, in
	// characters (Unicode code points).
	MinAnnotation = 1
	MaxAnnotation = 256
	// MaxResourceType and MaxResourceID bound ComplianceResourceType and
	// ComplianceResourceId, in characters.
	MaxResourceType = 256
	MaxResourceID   = 768
)

// Chars is the length AWS checks: the number of Unicode code points. Bytes
// that are not valid UTF-8 count one each, as utf8.RuneCountInString does.
func Chars(s string) int { return utf8.RuneCountInString(s) }

// ValidAnnotation reports whether s is an annotation PutEvaluations accepts.
func ValidAnnotation(s string) bool {
	n := Chars(s)
	return n >= MinAnnotation && n <= MaxAnnotation
}

// ellipsis ends an annotation that had to be cut.
const ellipsis = "…"

// Annotation makes s a valid annotation: fallback when s is empty, "-"
// when both are, and at most MaxAnnotation characters, cut on a character
// boundary and ended with "…" when cut.
func Annotation(s, fallback string) string {
	if s == "" {
		s = fallback
	}
	if s == "" {
		return "-"
	}
	if Chars(s) <= MaxAnnotation {
		return s
	}
	keep := MaxAnnotation - Chars(ellipsis)
	i, n := 0, 0
	for i < len(s) && n < keep {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return s[:i] + ellipsis
}
