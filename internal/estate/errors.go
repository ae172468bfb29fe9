package estate

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Sentinels, one per class of problem in an estate file. Every *Error wraps
// exactly one of them, so callers match with errors.Is(err, ErrAccountID).
var (
	ErrSyntax           = errors.New("not valid YAML")
	ErrType             = errors.New("wrong kind of value")
	ErrUnknownField     = errors.New("unknown field")
	ErrMissing          = errors.New("missing field")
	ErrDuplicate        = errors.New("duplicate")
	ErrName             = errors.New("invalid name")
	ErrAccountID        = errors.New("invalid account ID")
	ErrAccountConflict  = errors.New("account conflict")
	ErrARN              = errors.New("invalid role ARN")
	ErrRegion           = errors.New("invalid region")
	ErrDuration         = errors.New("invalid duration")
	ErrUnknownService   = errors.New("unknown service")
	ErrUnknownReference = errors.New("unknown reference")
	ErrReplica          = errors.New("invalid replica region")
	ErrWrapping         = errors.New("invalid wrapping")
	ErrStrategy         = errors.New("invalid strategy")
	ErrWindow           = errors.New("invalid maintenance window")
	ErrHSM              = errors.New("invalid HSM URI")
	ErrAliasFormat      = errors.New("invalid alias format")
	ErrStateLocation    = errors.New("invalid state location")
	ErrLimit            = errors.New("estate file too large or too broken to check in full")
)

// Error is one problem in an estate file, located by line and column
// (1-based; 0 when unknown) and by the dotted field path, e.g.
// "environments.prod.account" or "multi_region[0].replicas[1]".
type Error struct {
	File  string
	Line  int
	Col   int
	Field string
	Msg   string
	Hint  string // what to change; may be empty
	Err   error  // the sentinel of the error's class (ErrAccountID, …)
}

// Error renders "file:line:col: field: msg (hint: …)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
		if e.Col > 0 {
			b.WriteString(":" + strconv.Itoa(e.Col))
		}
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString(" (hint: " + e.Hint + ")")
	}
	return b.String()
}

// Unwrap returns the class sentinel.
func (e *Error) Unwrap() error { return e.Err }

// Errors returns every *Error inside err (which Parse builds with
// errors.Join), in order. It returns nil when err holds none.
func Errors(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		var e *Error
		switch x := err.(type) {
		case nil:
		case interface{ Unwrap() []error }:
			for _, inner := range x.Unwrap() {
				walk(inner)
			}
		default:
			if errors.As(err, &e) {
				out = append(out, e)
			}
		}
	}
	walk(err)
	return out
}

// joinSorted orders errs by position so that output reads top to bottom,
// then joins them.
func joinSorted(errs []*Error) error {
	if len(errs) == 0 {
		return nil
	}
	slices.SortStableFunc(errs, func(a, b *Error) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
	list := make([]error, len(errs))
	for i, e := range errs {
		list[i] = e
	}
	return errors.Join(list...)
}

// suggest returns a "did you mean" hint naming the closest of valid, or a
// list of valid values when none is close.
// Only the first maxSuggest candidates are compared, so a huge list cannot
// make one hint expensive.
func suggest(got string, valid []string) string {
	const maxSuggest, maxList = 200, 10
	best, bestDist := "", 3
	for _, v := range valid[:min(len(valid), maxSuggest)] {
		if abs(len(got)-len(v)) >= bestDist {
			continue // the distance is at least the length difference
		}
		if d := distance(strings.ToLower(got), strings.ToLower(v)); d < bestDist {
			best, bestDist = v, d
		}
	}
	if best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	if len(valid) > maxList {
		return "expected one of: " + strings.Join(valid[:maxList], ", ") + ", …"
	}
	return "expected one of: " + strings.Join(valid, ", ")
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// distance is the Levenshtein edit distance between a and b, capped in
// effort by the short names it is used on.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 10
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
