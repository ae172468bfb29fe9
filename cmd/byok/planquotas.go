package main

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/rotation"
)

// rotationQuotas are the request quotas that bound a rotation, shown by
// byok plan beside where their values come from.
var rotationQuotas = []string{"GetParametersForImport", "ImportKeyMaterial", "RotateKeyOnDemand", "DescribeKey", "ListKeyRotations"}

// pacingJSON is the "pacing" of one key in byok plan --format json: the
// rates (per second) the rotation of the key is paced by in its Region,
// and where they come from ("service-quotas": the account's applied
// values; "defaults": AWS's defaults, with the reason).
type pacingJSON struct {
	Account string             `json:"account"`
	Region  string             `json:"region"`
	Source  string             `json:"source"`
	Reason  string             `json:"reason,omitempty"`
	Rates   map[string]float64 `json:"rates"`
	Applied []string           `json:"applied"` // quotas whose applied value differs from the default
}

func pacingOf(p *pace.Pacer, sources []pace.Source, account, region string) *pacingJSON {
	if p == nil {
		return nil
	}
	j := &pacingJSON{Account: account, Region: region, Source: pace.OriginDefaults.String(),
		Reason: "Service Quotas not consulted", Rates: map[string]float64{}, Applied: []string{}}
	for _, s := range sources {
		if s.Account == account && s.Region == region && s.Service == pace.ServiceKMS {
			j.Source, j.Reason = s.Origin.String(), s.Reason
			for name := range s.Applied {
				j.Applied = append(j.Applied, name)
			}
		}
	}
	sort.Strings(j.Applied)
	for _, op := range rotationQuotas {
		_, limit := p.Rate(pace.Key{Account: account, Region: region, Service: pace.ServiceKMS, Op: op})
		j.Rates[op] = limit
	}
	return j
}

// printQuotaSources writes the table's quota section: per Region of the
// planned keys, the rates that bound a rotation and their source.
func printQuotaSources(w io.Writer, p *pace.Pacer, sources []pace.Source, account string, plans []rotation.Plan) {
	if p == nil || len(plans) == 0 {
		return
	}
	seen := map[string]bool{}
	fmt.Fprintf(w, "\nRequest quotas of the Security account %s (per second):\n", account)
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprint(tw, "REGION\tSOURCE")
	for _, op := range rotationQuotas {
		fmt.Fprint(tw, "\t", op)
	}
	fmt.Fprintln(tw)
	for _, pl := range plans {
		if seen[pl.Key.Region] {
			continue
		}
		seen[pl.Key.Region] = true
		j := pacingOf(p, sources, account, pl.Key.Region)
		src := j.Source
		if j.Reason != "" {
			src += " (" + j.Reason + ")"
		}
		fmt.Fprintf(tw, "%s\t%s", j.Region, src)
		for _, op := range rotationQuotas {
			mark := ""
			if containsString(j.Applied, op) {
				mark = " applied"
			}
			fmt.Fprintf(tw, "\t%g%s", j.Rates[op], mark)
		}
		fmt.Fprintln(tw)
	}
	_ = tw.Flush()
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
