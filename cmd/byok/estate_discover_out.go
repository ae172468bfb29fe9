package main

import (
	"fmt"
	"io"

	"github.com/byok-dev/byok/internal/discover"
	"github.com/byok-dev/byok/internal/estate"
)

// discoveredJSON is estate discover --format json.
type discoveredJSON struct {
	File          string            `json:"file"`
	Keys          int               `json:"keys"`
	Accounts      int               `json:"accounts"`
	Regions       []string          `json:"regions"`
	NotClassified []notClassifiedJS `json:"not_classified"`
}

type notClassifiedJS struct {
	Line    int    `json:"line"`
	Section string `json:"section"`
	Subject string `json:"subject"`
	What    string `json:"what"`
}

func printDiscovered(w io.Writer, f discoverFlags, est *estate.Estate, located []discover.Located) error {
	if f.format.is("json") {
		out := discoveredJSON{File: f.out, Keys: len(est.Keys()), Accounts: len(est.Accounts()), Regions: est.Regions,
			NotClassified: []notClassifiedJS{}}
		for _, l := range located {
			out.NotClassified = append(out.NotClassified, notClassifiedJS{Line: l.Line, Section: l.Section, Subject: l.Subject, What: l.What})
		}
		return writeJSON(w, out)
	}
	fmt.Fprintf(w, "wrote %s: %d keys across %d accounts in %v\n", f.out, len(est.Keys()), len(est.Accounts()), est.Regions)
	if len(located) > 0 {
		fmt.Fprintf(w, "not classified (%d):\n", len(located))
	}
	for _, l := range located {
		fmt.Fprintf(w, "%s:%d: %s: %s\n", f.out, l.Line, l.Subject, l.What)
	}
	return nil
}
