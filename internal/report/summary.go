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
	s := NewSummary()
	for _, r := range results {
		s.Add(r)
	}
	return s
}

// NewSummary is an empty summary, to count a streamed scan with Add.
func NewSummary() Summary {
	return Summary{ByVerdict: map[string]int{}, ByReason: map[string]int{}, ByAccount: map[string]map[string]int{}}
}

// Add counts one result.
func (s *Summary) Add(r compliance.Result) {
	v := r.Verdict.String()
	s.Total++
	s.ByVerdict[v]++
	s.ByReason[string(r.Reason)]++
	acct := s.ByAccount[r.Resource.Account]
	if acct == nil {
		acct = map[string]int{}
		s.ByAccount[r.Resource.Account] = acct
	}
	acct[v]++
}

// NonCompliantCount is how many results are NON_COMPLIANT.
func (s Summary) NonCompliantCount() int { return s.ByVerdict[compliance.NonCompliant.String()] }

// NonCompliant reports whether any result is NON_COMPLIANT (the scan's
// exit code).
func (s Summary) NonCompliant() bool { return s.ByVerdict[compliance.NonCompliant.String()] > 0 }
