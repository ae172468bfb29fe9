package report

import "github.com/byok-dev/byok/internal/compliance"

// Summary counts results by verdict, by reason and by account. Map keys
// are the verdict and reason strings and the account IDs.
type Summary struct {
	Total     int                       `json:"total"`
	ByVerdict map[string]int            `json:"by_verdict"`
	ByReason  map[string]int            `json:"by_reason"`
	ByAccount map[string]map[string]int `json:"by_account"` // account → verdict → count
}

// Summarize counts results.
func Summarize(results []compliance.Result) Summary {
	s := Summary{
		Total:     len(results),
		ByVerdict: map[string]int{},
		ByReason:  map[string]int{},
		ByAccount: map[string]map[string]int{},
	}
	for _, r := range results {
		v := r.Verdict.String()
		s.ByVerdict[v]++
		s.ByReason[string(r.Reason)]++
		acct := s.ByAccount[r.Resource.Account]
		if acct == nil {
			acct = map[string]int{}
			s.ByAccount[r.Resource.Account] = acct
		}
		acct[v]++
	}
	return s
}

// NonCompliant reports whether any result is NON_COMPLIANT (the scan's
// exit code).
func (s Summary) NonCompliant() bool { return s.ByVerdict[compliance.NonCompliant.String()] > 0 }
