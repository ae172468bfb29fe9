package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/byok-dev/byok/internal/store"
)

// runsPrintRequest prints what the run was asked to do: the selector and
// every requested key with its admission, then the refused and the
// unfinished keys by name. A run recorded before requests existed has none.
func runsPrintRequest(ctx context.Context, w io.Writer, st *store.Store, r store.Run, keys []store.RunKey) error {
	rqs, err := st.ListRequestKeys(ctx, r.ID)
	if err != nil || len(rqs) == 0 {
		return err
	}
	if r.Selector != "" {
		fmt.Fprintf(w, "selector:  %s\n", r.Selector)
	}
	count := map[store.Admission]int{}
	for _, rq := range rqs {
		count[rq.Admission]++
	}
	fmt.Fprintf(w, "request:   %d key(s): %d admitted, %d refused, %d skipped, %d pending\n", len(rqs),
		count[store.AdmissionAdmitted], count[store.AdmissionRefused], count[store.AdmissionSkipped], count[store.AdmissionPending])
	for _, rq := range rqs {
		detail := rq.KeyARN
		if rq.Reason != "" {
			detail = rq.Reason
		}
		fmt.Fprintf(w, "  %-22s %-14s %-9s %-9s %s\n", rq.Alias, rq.Region, rq.Strategy, rq.Admission, runsDash(detail))
	}
	if refused := requestNames(rqs, store.AdmissionRefused); refused != "" {
		fmt.Fprintf(w, "refused:   %s\n", refused)
	}
	var unfinished []string
	for _, k := range keys {
		if step, ph, err := st.LastStep(ctx, r.ID, k.KeyARN); err == nil && (step != store.StepDone || ph != store.PhaseEnd) {
			unfinished = append(unfinished, requestAlias(rqs, k.KeyARN)+" (at "+runsStepText(step, ph)+")")
		}
	}
	if pending := requestNames(rqs, store.AdmissionPending); pending != "" {
		unfinished = append(unfinished, pending+" (not admitted yet)")
	}
	if len(unfinished) > 0 {
		fmt.Fprintf(w, "unfinished: %s\n", strings.Join(unfinished, ", "))
	}
	return nil
}

func requestNames(rqs []store.RequestKey, a store.Admission) string {
	var names []string
	for _, rq := range rqs {
		if rq.Admission == a {
			names = append(names, rq.Alias)
		}
	}
	return strings.Join(names, ", ")
}

func requestAlias(rqs []store.RequestKey, keyARN string) string {
	for _, rq := range rqs {
		if rq.KeyARN == keyARN {
			return rq.Alias
		}
	}
	return keyARN
}
