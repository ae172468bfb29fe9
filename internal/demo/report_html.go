package demo

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"sort"
)

//go:embed report.html.tmpl
var reportTemplate string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"seconds": func(ms int64) string { return fmt.Sprintf("%.2fs", float64(ms)/1000) },
	"inc":     func(i int) int { return i + 1 },
	"pct":     func(f float64) template.CSS { return template.CSS(fmt.Sprintf("%.2f%%", f)) },
}).Parse(reportTemplate))

// htmlView is the report shaped for the template: compliance rows joined
// before/after, and timeline bars placed in percent of each run.
type htmlView struct {
	*Report
	Rows      []complianceRow
	Timelines []timeline
}

type complianceRow struct {
	Account, Service               string
	BeforeTotal, BeforeC, BeforeNC int
	AfterTotal, AfterC, AfterNC    int
	BeforeCPct, BeforeNCPct        float64
	AfterCPct, AfterNCPct          float64
}

type timeline struct {
	Run     RotationRun
	TotalMS int64
	Lanes   []lane
}

type lane struct {
	Alias string
	Bars  []bar
}

type bar struct {
	Step        string
	Left, Width float64
	MS          int64
	OK          bool
}

func renderHTML(w io.Writer, rep *Report) error {
	v := htmlView{Report: rep, Rows: complianceRows(rep.Before, rep.After)}
	for _, r := range rep.Runs {
		v.Timelines = append(v.Timelines, timelineOf(r))
	}
	return htmlTemplate.Execute(w, v)
}

func complianceRows(before, after Snapshot) []complianceRow {
	rows := map[string]*complianceRow{}
	get := func(c Cell) *complianceRow {
		k := c.Account + "/" + c.Service
		if rows[k] == nil {
			name := c.AccountName
			if name == "" {
				name = c.Account
			}
			rows[k] = &complianceRow{Account: name + " " + c.Account, Service: c.Service}
		}
		return rows[k]
	}
	for _, c := range before.Cells {
		r := get(c)
		r.BeforeTotal, r.BeforeC, r.BeforeNC = c.Total, c.ByVerdict["COMPLIANT"], c.ByVerdict["NON_COMPLIANT"]
	}
	for _, c := range after.Cells {
		r := get(c)
		r.AfterTotal, r.AfterC, r.AfterNC = c.Total, c.ByVerdict["COMPLIANT"], c.ByVerdict["NON_COMPLIANT"]
	}
	out := make([]complianceRow, 0, len(rows))
	for _, r := range rows {
		r.BeforeCPct, r.BeforeNCPct = share(r.BeforeC, r.BeforeTotal), share(r.BeforeNC, r.BeforeTotal)
		r.AfterCPct, r.AfterNCPct = share(r.AfterC, r.AfterTotal), share(r.AfterNC, r.AfterTotal)
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Account+out[i].Service < out[j].Account+out[j].Service })
	return out
}

func share(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return 100 * float64(n) / float64(total)
}

func timelineOf(r RotationRun) timeline {
	t := timeline{Run: r}
	for _, k := range r.Keys {
		for _, s := range k.Steps {
			t.TotalMS = max(t.TotalMS, s.EndMS)
		}
	}
	total := float64(max(t.TotalMS, 1))
	for _, k := range r.Keys {
		l := lane{Alias: k.Alias}
		for _, s := range k.Steps {
			width := max(100*float64(s.EndMS-s.StartMS)/total, 0.4)
			l.Bars = append(l.Bars, bar{Step: s.Step, Left: 100 * float64(s.StartMS) / total, Width: width, MS: s.EndMS - s.StartMS, OK: s.OK})
		}
		t.Lanes = append(t.Lanes, l)
	}
	return t
}
