package dashboard

import (
	"net/http"
	"slices"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/serve/view"
)

// maxRows bounds a findings page; filters narrow the rest.
const maxRows = 500

// Filter is the findings page's query: empty fields match everything.
type Filter struct{ Account, Service, Reason, Verdict string }

// Match reports whether r passes f.
func (f Filter) Match(r compliance.Result) bool {
	return (f.Account == "" || r.Resource.Account == f.Account) &&
		(f.Service == "" || view.ServiceOf(r.Resource.Type) == f.Service) &&
		(f.Reason == "" || string(r.Reason) == f.Reason) &&
		(f.Verdict == "" || r.Verdict.String() == f.Verdict)
}

type findingsData struct {
	Filter                      Filter
	Rows                        []compliance.Result
	Matched                     int
	Accounts, Services, Reasons []string
	Verdicts                    []string
}

func (d *Dashboard) findings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := Filter{Account: q.Get("account"), Service: q.Get("service"), Reason: q.Get("reason"), Verdict: q.Get("verdict")}
	if !q.Has("verdict") {
		f.Verdict = "NON_COMPLIANT"
	}
	st := d.o.State()
	data := findingsData{Filter: f}
	for _, v := range compliance.Verdicts() {
		data.Verdicts = append(data.Verdicts, v.String())
	}
	if st.Scan != nil {
		acc, svc, rsn := map[string]bool{}, map[string]bool{}, map[string]bool{}
		for _, res := range st.Scan.Results {
			acc[res.Resource.Account], svc[view.ServiceOf(res.Resource.Type)], rsn[string(res.Reason)] = true, true, true
			if f.Match(res) {
				data.Matched++
				if len(data.Rows) < maxRows {
					data.Rows = append(data.Rows, res)
				}
			}
		}
		data.Accounts, data.Services, data.Reasons = sorted(acc), sorted(svc), sorted(rsn)
	}
	d.render(w, r, "findings", page{Title: "Findings", Nav: "findings", Data: data})
}

func sorted(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
