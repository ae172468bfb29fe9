package demo

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// ANSI SGR sequences; empty when colour is off.
const (
	sgrReset  = "\x1b[0m"
	sgrBold   = "\x1b[1m"
	sgrDim    = "\x1b[2m"
	sgrRed    = "\x1b[31m"
	sgrGreen  = "\x1b[32m"
	sgrYellow = "\x1b[33m"
	sgrCyan   = "\x1b[36m"
)

// printer writes the demo's story. It is safe for concurrent use (rotation
// progress arrives from several goroutines).
type printer struct {
	mu    sync.Mutex
	w     io.Writer
	color bool
	phase int
}

func newPrinter(w io.Writer, color bool) *printer {
	if w == nil {
		w = io.Discard
	}
	return &printer{w: w, color: color}
}

func (p *printer) paint(sgr, s string) string {
	if !p.color || s == "" {
		return s
	}
	return sgr + s + sgrReset
}

func (p *printer) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format, args...)
}

// header starts a phase: its number, name and what it proves.
func (p *printer) header(name, proves string) {
	p.mu.Lock()
	p.phase++
	n := p.phase
	p.mu.Unlock()
	p.printf("\n%s %s\n", p.paint(sgrBold+sgrCyan, fmt.Sprintf("[%d] %s", n, name)), p.paint(sgrDim, "— proves: "+proves))
}

// line prints an indented line.
func (p *printer) line(format string, args ...any) {
	p.printf("    "+format+"\n", args...)
}

func (p *printer) ok(format string, args ...any) {
	p.printf("    %s %s\n", p.paint(sgrGreen, "✔"), fmt.Sprintf(format, args...))
}

func (p *printer) bad(format string, args ...any) {
	p.printf("    %s %s\n", p.paint(sgrRed, "✘"), fmt.Sprintf(format, args...))
}

func (p *printer) warn(format string, args ...any) {
	p.printf("    %s %s\n", p.paint(sgrYellow, "!"), fmt.Sprintf(format, args...))
}

// verdict colours a verdict name.
func (p *printer) verdict(v string) string {
	switch v {
	case "COMPLIANT":
		return p.paint(sgrGreen, v)
	case "NON_COMPLIANT":
		return p.paint(sgrRed, v)
	}
	return p.paint(sgrYellow, v)
}

// table prints rows with columns padded to their widest cell (ANSI-free
// cells only; colour is applied after padding by colorCol).
func (p *printer) table(rows [][]string, colorCol int, colorize func(string) string) {
	widths := map[int]int{}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			cell := c + strings.Repeat(" ", widths[i]-len([]rune(c)))
			if i == colorCol && colorize != nil {
				cell = colorize(c) + strings.Repeat(" ", widths[i]-len([]rune(c)))
			}
			if i < len(r)-1 {
				cell += "  "
			}
			b.WriteString(cell)
		}
		p.line("%s", strings.TrimRight(b.String(), " "))
	}
}
