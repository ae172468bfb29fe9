package dashboard

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/byok-dev/byok/internal/serve/view"
)

// trendSVG draws the share of compliant resources over the saved scans
// (oldest left), with the non-compliant count under each point's label.
// Drawn by the server: the page runs no script.
func trendSVG(scans []view.ScanPoint) template.HTML {
	if len(scans) == 0 {
		return template.HTML(`<p class="muted">No saved scan yet: the trend appears after the first scheduled scan.</p>`)
	}
	if len(scans) > 60 {
		scans = scans[len(scans)-60:]
	}
	const w, h, pad = 640.0, 180.0, 30.0
	step := (w - 2*pad) / float64(max(1, len(scans)-1))
	var pts []string
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="compliance trend" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`, w, h, w, h)
	for _, y := range []int{0, 50, 100} {
		py := pad + (h-2*pad)*(1-float64(y)/100)
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#dadce0"/><text x="2" y="%.1f">%d%%</text>`, pad, py, w-pad, py, py+4, y)
	}
	for i, s := range scans {
		share := 0.0
		if s.Total > 0 {
			share = float64(s.Compliant) / float64(s.Total)
		}
		x, y := pad+step*float64(i), pad+(h-2*pad)*(1-share)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="#1a73e8"><title>%s: %d of %d compliant, %d non-compliant</title></circle>`,
			x, y, template.HTMLEscapeString(s.At.UTC().Format("2006-01-02 15:04")), s.Compliant, s.Total, s.NonCompliant)
	}
	fmt.Fprintf(&b, `<polyline fill="none" stroke="#1a73e8" stroke-width="2" points="%s"/>`, strings.Join(pts, " "))
	first, last := scans[0], scans[len(scans)-1]
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f">%s</text><text x="%.0f" y="%.0f" text-anchor="end">%s: %d non-compliant</text></svg>`,
		pad, h-8, first.At.UTC().Format("2006-01-02"), w-pad, h-8, last.At.UTC().Format("2006-01-02 15:04"), last.NonCompliant)
	return template.HTML(b.String()) // #nosec: built from numbers and escaped dates only
}
