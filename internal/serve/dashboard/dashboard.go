package dashboard

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/byok-dev/byok/internal/serve/alert"
	"github.com/byok-dev/byok/internal/serve/view"
)

//go:embed templates/*.html assets/*
var files embed.FS

// Options are what the pages read.
type Options struct {
	State  func() view.State
	Alerts func() []alert.Alert
	// CSRF returns the token the action forms carry (and sets its cookie).
	CSRF func(w http.ResponseWriter, r *http.Request) string
	// Actions says whether the two actions are enabled (a token file is
	// configured); the forms are hidden otherwise.
	Actions bool
	Logger  *slog.Logger
}

// Dashboard serves the pages.
type Dashboard struct {
	o     Options
	pages map[string]*template.Template
}

// New parses the embedded templates.
func New(o Options) (*Dashboard, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	d := &Dashboard{o: o, pages: map[string]*template.Template{}}
	for _, p := range []string{"overview", "findings", "runs", "run", "audit", "login"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("dashboard template %s: %w", p, err)
		}
		d.pages[p] = t
	}
	return d, nil
}

// Routes registers the pages on mux.
func (d *Dashboard) Routes(mux *http.ServeMux) {
	static, _ := fs.Sub(files, "assets")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", d.overview)
	mux.HandleFunc("GET /findings", d.findings)
	mux.HandleFunc("GET /runs", d.runs)
	mux.HandleFunc("GET /runs/{id}", d.run)
	mux.HandleFunc("GET /audit", d.audit)
	mux.HandleFunc("GET /login", d.login)
}

// page is what every template gets.
type page struct {
	Title, Nav string
	State      view.State
	CSRF       string
	Actions    bool
	Message    string
	Data       any
}

func (d *Dashboard) render(w http.ResponseWriter, r *http.Request, name string, p page) {
	if p.State.Now.IsZero() {
		p.State = d.o.State()
	}
	p.Actions = d.o.Actions
	if d.o.CSRF != nil && p.CSRF == "" {
		p.CSRF = d.o.CSRF(w, r)
	}
	p.Message = r.URL.Query().Get("msg")
	var buf bytes.Buffer
	if err := d.pages[name].Execute(&buf, p); err != nil {
		d.o.Logger.Error("render page", "page", name, "error", err)
		http.Error(w, "the page could not be rendered; see the service log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

func (d *Dashboard) login(w http.ResponseWriter, r *http.Request) {
	d.render(w, r, "login", page{Title: "Sign in", Nav: "login"})
}

func (d *Dashboard) audit(w http.ResponseWriter, r *http.Request) {
	d.render(w, r, "audit", page{Title: "Audit chain", Nav: "audit"})
}

func (d *Dashboard) runs(w http.ResponseWriter, r *http.Request) {
	d.render(w, r, "runs", page{Title: "Rotation runs", Nav: "runs"})
}

func (d *Dashboard) run(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	for _, run := range d.o.State().Runs {
		if run.ID == id {
			d.render(w, r, "run", page{Title: "Run " + id, Nav: "runs", Data: run})
			return
		}
	}
	http.Error(w, "no run "+template.HTMLEscapeString(id)+" in the state store (see /runs)", http.StatusNotFound)
}

func (d *Dashboard) overview(w http.ResponseWriter, r *http.Request) {
	st := d.o.State()
	var alerts []alert.Alert
	if d.o.Alerts != nil {
		alerts = d.o.Alerts()
	}
	csrf := ""
	if d.o.CSRF != nil {
		csrf = d.o.CSRF(w, r)
	}
	d.render(w, r, "overview", page{Title: "Overview", Nav: "overview", State: st, CSRF: csrf, Data: overviewData{
		Trend: trendSVG(st.Scans), Alerts: alerts, Rows: keyRows(st, csrf, d.o.Actions)}})
}

type overviewData struct {
	Trend  template.HTML
	Alerts []alert.Alert
	Rows   template.HTML
}

func joinLines(s []string) string { return strings.Join(s, "; ") }
