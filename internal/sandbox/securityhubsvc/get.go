package securityhubsvc

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// StringFilter is one ASFF string filter.
type StringFilter struct {
	Value      string `json:"Value"`
	Comparison string `json:"Comparison"`
}

// filterFields are the AwsSecurityFindingFilters the sandbox evaluates,
// each with how to read the finding's values for it. Any other filter is
// refused rather than silently ignored.
var filterFields = map[string]func(map[string]any) []string{
	"Id":               topString("Id"),
	"ProductArn":       topString("ProductArn"),
	"GeneratorId":      topString("GeneratorId"),
	"AwsAccountId":     topString("AwsAccountId"),
	"RecordState":      topString("RecordState"),
	"WorkflowStatus":   func(d map[string]any) []string { return []string{workflowStatus(d)} },
	"ComplianceStatus": func(d map[string]any) []string { return []string{complianceStatus(d)} },
	"ResourceId":       resourceIDs,
}

var comparisons = []string{"EQUALS", "PREFIX", "NOT_EQUALS", "PREFIX_NOT_EQUALS", "CONTAINS", "NOT_CONTAINS"}

type getInput struct {
	Filters    map[string][]StringFilter `json:"Filters"`
	MaxResults *int                      `json:"MaxResults"`
	NextToken  string                    `json:"NextToken"`
}

type getOutput struct {
	Findings  []map[string]any `json:"Findings"`
	NextToken string           `json:"NextToken,omitempty"`
}

func topString(name string) func(map[string]any) []string {
	return func(d map[string]any) []string {
		s, _ := d[name].(string)
		return []string{s}
	}
}

func resourceIDs(d map[string]any) []string {
	var out []string
	rs, _ := d["Resources"].([]any)
	for _, r := range rs {
		if m, ok := r.(map[string]any); ok {
			s, _ := m["Id"].(string)
			out = append(out, s)
		}
	}
	return out
}

// decodeGet parses and checks a GetFindings body.
func decodeGet(body []byte) (getInput, int, int, *awsproto.Error) {
	var in getInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return in, 0, 0, invalidInput("%s", err.Message)
	}
	limit := 100
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 100 {
			return in, 0, 0, invalidInput("MaxResults must be between 1 and 100, got %d.", *in.MaxResults)
		}
		limit = *in.MaxResults
	}
	for name, fs := range in.Filters {
		if _, ok := filterFields[name]; !ok {
			return in, 0, 0, invalidInput("The sandbox's Security Hub does not filter on %s; it filters on %s.", name, strings.Join(filterNames(), ", "))
		}
		if len(fs) > 20 {
			return in, 0, 0, invalidInput("Filters.%s has %d values; at most 20 are allowed.", name, len(fs))
		}
		for _, f := range fs {
			if !slices.Contains(comparisons, f.Comparison) {
				return in, 0, 0, invalidInput("Filters.%s: Comparison %q is not one of %s.", name, f.Comparison, strings.Join(comparisons, ", "))
			}
		}
	}
	start, err := decodeToken(in.NextToken)
	if err != nil {
		return in, 0, 0, err
	}
	return in, start, limit, nil
}

func filterNames() []string {
	var out []string
	for k := range filterFields {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

const tokenPrefix = "shub:"

func decodeToken(t string) (int, *awsproto.Error) {
	if t == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(t)
	n, perr := strconv.Atoi(strings.TrimPrefix(string(raw), tokenPrefix))
	if err != nil || perr != nil || !strings.HasPrefix(string(raw), tokenPrefix) || n < 0 {
		return 0, invalidInput("The NextToken value is not valid.")
	}
	return n, nil
}

func encodeToken(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + strconv.Itoa(n)))
}

func (s *Service) getFindings(c *svc.Call) (any, *awsproto.Error) {
	in, start, limit, err := decodeGet(c.Body)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*finding
	for k, f := range s.findings {
		if k.account == c.Caller.Account && k.region == c.Region && matches(f.doc, in.Filters) {
			match = append(match, f)
		}
	}
	slices.SortFunc(match, func(a, b *finding) int { return a.seq - b.seq })
	out := getOutput{Findings: []map[string]any{}}
	for i := start; i < len(match) && len(out.Findings) < limit; i++ {
		out.Findings = append(out.Findings, match[i].doc)
	}
	if next := start + len(out.Findings); next < len(match) {
		out.NextToken = encodeToken(next)
	}
	return out, nil
}

// matches applies the filters: every field must match; within a field the
// positive comparisons (EQUALS, PREFIX, CONTAINS) are OR'ed and the
// negative ones (NOT_…) AND'ed, as Security Hub combines them.
func matches(doc map[string]any, filters map[string][]StringFilter) bool {
	for name, fs := range filters {
		values := filterFields[name](doc)
		pos, posOK := false, true
		for _, f := range fs {
			if negative(f.Comparison) {
				if !slices.ContainsFunc(values, func(v string) bool { return compare(f.Comparison, v, f.Value) }) {
					continue
				}
				return false
			}
			posOK = false
			if slices.ContainsFunc(values, func(v string) bool { return compare(f.Comparison, v, f.Value) }) {
				pos = true
			}
		}
		if !pos && !posOK {
			return false
		}
	}
	return true
}

func negative(cmp string) bool { return strings.HasPrefix(cmp, "NOT_") || cmp == "PREFIX_NOT_EQUALS" }

// compare reports whether v matches want; for the negative comparisons it
// reports the positive match that the filter excludes.
func compare(cmp, v, want string) bool {
	switch cmp {
	case "EQUALS", "NOT_EQUALS":
		return v == want
	case "PREFIX", "PREFIX_NOT_EQUALS":
		return strings.HasPrefix(v, want)
	case "CONTAINS", "NOT_CONTAINS":
		return strings.Contains(v, want)
	}
	return false
}
