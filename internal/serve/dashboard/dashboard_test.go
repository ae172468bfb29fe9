package dashboard

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/serve/view"
	"github.com/byok-dev/byok/internal/serve/view/viewtest"
)

func server(t testing.TB, st view.State) *httptest.Server {
	d, err := New(Options{State: func() view.State { return st }, Actions: true,
		CSRF: func(http.ResponseWriter, *http.Request) string { return "csrf" }})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	d.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t testing.TB, url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = fmt.Fprint(&b, "")
	buf := make([]byte, 1<<16)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String()
}

// TestPages renders every page and checks what a reader needs is on it.
func TestPages(t *testing.T) {
	srv := server(t, viewtest.State(12, 300))
	tests := map[string]struct {
		path string
		code int
		want []string
	}{
		"overview":    {"/", 200, []string{`data-alias="alias/env0/s3"`, "OVERDUE", "EXPIRING", "<svg", `class="bar"`, "Rotate now", "/ 25"}},
		"findings":    {"/findings", 200, []string{"MATERIAL_OVERDUE", "Rotate the key", `data-account=`}},
		"filtered":    {"/findings?account=222222222223&verdict=", 200, []string{`data-account="222222222223"`}},
		"runs":        {"/runs", 200, []string{`href="/runs/r-1"`}},
		"run":         {"/runs/r-1", 200, []string{`ol class="timeline"`, "plan"}},
		"no such run": {"/runs/r-2", 404, nil},
		"audit":       {"/audit", 200, []string{"INTACT"}},
		"stylesheet":  {"/assets/style.css", 200, []string{".bar"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			code, body := get(t, srv.URL+tc.path)
			if code != tc.code {
				t.Fatalf("GET %s: %d\n%s", tc.path, code, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s lacks %q", tc.path, w)
				}
			}
		})
	}
	for _, p := range []string{"/", "/findings", "/runs", "/runs/r-1", "/audit"} {
		// The pages run under a CSP without 'unsafe-inline': no style attribute, no script.
		if _, body := get(t, srv.URL+p); strings.Contains(body, "style=") || strings.Contains(body, "<script") {
			t.Errorf("GET %s has an inline style or a script", p)
		}
	}
	_, body := get(t, srv.URL+"/findings?account=222222222223&verdict=")
	if strings.Contains(body, `data-account="222222222222"`) {
		t.Error("the account filter let another account through")
	}
}
