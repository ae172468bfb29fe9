package dashboard

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/serve/view"
)

// keyRows renders the overview's key table body in Go: with 1,000 keys the
// template's per-field calls (reflection plus escaping) cost most of a
// page; here every value is escaped with html.EscapeString.
func keyRows(st view.State, csrf string, actions bool) template.HTML {
	var b strings.Builder
	b.Grow(len(st.Keys) * 900)
	next := html.EscapeString(st.NextWindow)
	if next == "" {
		next = "none scheduled"
	}
	for _, k := range st.Keys {
		keyRow(&b, k, st.Now, next, csrf, actions)
	}
	return template.HTML(b.String()) // #nosec: every value is escaped above
}

func keyRow(b *strings.Builder, k view.Key, now time.Time, next, csrf string, actions bool) {
	e := html.EscapeString
	alias := e(k.Alias)
	days, maxDays := funcs["ageDays"].(func(view.Key, time.Time) int)(k, now), int(k.MaxAge.Hours()/24)
	fmt.Fprintf(b, `<tr data-alias="%s"><td><strong>%s</strong></td><td>%s</td><td>%s</td>`, alias, alias, e(k.Env), e(k.Service))
	fmt.Fprintf(b, `<td><svg class="bar" viewBox="0 0 100 12" width="160" height="12" preserveAspectRatio="none" role="img" aria-label="%d of %d days">`+
		`<rect width="100" height="12" rx="6" fill="#e8eaed"/><rect class="%s" width="%d" height="12" rx="6"/></svg> <span class="age">%d days</span> <span class="muted small">/ %d</span></td>`,
		days, maxDays, ageClass(k, now), agePct(k, now), days, maxDays)
	status := `<span class="tag ok">ok</span>`
	if k.Due {
		status = `<span class="tag bad overdue">OVERDUE</span>`
	}
	if len(k.Expiring) > 0 {
		status += ` <span class="tag warn">EXPIRING</span>`
	}
	if k.Refused != "" {
		status += `<div class="small muted">cannot rotate: ` + e(k.Refused) + `</div>`
	}
	due := "now"
	if !k.Due {
		due = k.NextDue().UTC().Format("2006-01-02")
	}
	fmt.Fprintf(b, `<td>%s</td><td>%s</td><td>%d / 25</td><td>%s</td><td class="small">%s</td>`, status, e(expiresIn(k, now)), k.RotationsUsed, due, next)
	if actions {
		b.WriteString("<td>")
		if k.Due {
			fmt.Fprintf(b, `<form class="inline" method="post" action="/actions/rotate"><input type="hidden" name="csrf" value="%s"><input type="hidden" name="alias" value="%s">`+
				`<input type="password" name="token" placeholder="API token" autocomplete="off" required> <button>Rotate now</button></form>`, e(csrf), alias)
		}
		b.WriteString("</td>")
	}
	b.WriteString("</tr>")
	for _, m := range k.Expiring {
		fmt.Fprintf(b, `<tr><td></td><td colspan="9" class="small"><span class="tag warn">expiring</span> material %s (%s) expires %s. %s</td></tr>`,
			e(m.MaterialID), e(m.State), m.ValidTo.UTC().Format("2006-01-02 15:04:05 MST"), e(m.Remedy))
	}
}
