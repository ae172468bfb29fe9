package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
)

// outputFormat is the one output flag every command that prints a table
// has: --format with the values that apply to it (table first, the
// default). JSON is everywhere a table is; jsonl where entries stream.
type outputFormat struct {
	value   *string
	allowed []string
}

// addFormatFlag defines --format on fs accepting table and allowed.
func addFormatFlag(fs *flag.FlagSet, allowed ...string) *outputFormat {
	all := append([]string{"table"}, allowed...)
	return &outputFormat{value: fs.String("format", "table", "output format: "+strings.Join(all, ", ")), allowed: all}
}

// check refuses a value the command does not offer (exit 64).
func (o *outputFormat) check(command string) error {
	*o.value = strings.ToLower(*o.value)
	if !slices.Contains(o.allowed, *o.value) {
		return usageError(command, "--format %q: use one of %s", *o.value, strings.Join(o.allowed, ", "))
	}
	return nil
}

// is reports whether the chosen format is f.
func (o *outputFormat) is(f string) bool { return *o.value == f }

// writeJSON writes v as indented JSON; a nil slice anywhere at the top
// level is written as [] (an empty list is a list, never null).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(emptyListIfNil(v)); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// emptyListIfNil turns a nil slice into an empty one of its type.
func emptyListIfNil(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice && rv.IsNil() {
		return reflect.MakeSlice(rv.Type(), 0, 0).Interface()
	}
	return v
}
