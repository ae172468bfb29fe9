package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// printPrepared prints a decided request: every requested key with the
// procedure it follows, what admission decides and the steps it runs.
// A dry run prints exactly what --yes then journals as the run's request
// (both come from rotation.Engine.Prepare / PrepareRollback); JSON is the
// saved plan document (rotation.SavedPlan).
func printPrepared(w io.Writer, env *rotationEnv, p rotation.Prepared, dry, asJSON bool) error {
	if asJSON {
		return writeJSON(w, p.Save(env.est, time.Now()))
	}
	head := "request"
	if dry {
		head = "dry run: the run would request"
	}
	fmt.Fprintf(w, "\n%s %d key(s), %d to run:\n", head, len(p.Items), p.Runs())
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ALIAS\tREGION\tSTRATEGY\tDECISION\tSTEPS / REASON")
	for _, it := range p.Items {
		detail := it.Reason
		if it.Admission == store.AdmissionAdmitted {
			detail = stepList(it.Steps)
			if it.Note != "" {
				detail += " (" + it.Note + ")"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", it.Key.Alias, it.Key.Region, it.Strategy, decisionName(it.Admission), runsDash(detail))
	}
	return tw.Flush()
}

func decisionName(a store.Admission) string {
	switch a {
	case store.AdmissionAdmitted:
		return "run"
	case store.AdmissionPending:
		return "decide at admission"
	}
	return a.String()
}

func stepList(steps []store.Step) string {
	var s []string
	for _, st := range steps {
		s = append(s, st.String())
	}
	return strings.Join(s, " → ")
}

// confirmText asks question on a terminal; without one it is not confirmed.
func confirmText(w io.Writer, question string) bool {
	if fi, err := os.Stdin.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	fmt.Fprintf(w, "%s type yes: ", question)
	var answer string
	_, _ = fmt.Fscanln(os.Stdin, &answer)
	return answer == "yes"
}
