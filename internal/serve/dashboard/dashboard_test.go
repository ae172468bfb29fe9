package dashboard

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/serve/view"
)

// bigState is an estate of nKeys keys and nRes resources, as a State.
func bigState(nKeys, nRes int) view.State {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	st := view.State{Now: now, KeysAt: now, ScanAt: now}
	for i := range nKeys {
		k := view.Key{Alias: fmt.Sprintf("alias/env%d/s3", i), Env: fmt.Sprintf("env%d", i), Service: "s3", Region: "eu-west-1",
			ARN: fmt.Sprintf("arn:aws:kms:eu-west-1:111111111111:key/%08d", i), CurrentSince: now.Add(-time.Duration(i*37%500) * 24 * time.Hour),
			MaxAge: 365 * 24 * time.Hour, RotationsUsed: i % 25}
		k.Due = k.Age(now) > k.MaxAge
		if i%50 == 0 {
			v := now.Add(10 * 24 * time.Hour)
			k.EarliestValidTo = &v
			k.Expiring = []view.Expiring{{MaterialID: "m", State: "CURRENT", ValidTo: v, Remedy: "re-import"}}
		}
		st.Keys = append(st.Keys, k)
	}
	rep := report.Report{}
	for i := range nRes {
		v, r := compliance.Compliant, compliance.ReasonCompliant
		if i%7 == 0 {
			v, r = compliance.NonCompliant, compliance.ReasonMaterialOverdue
		}
		rep.Results = append(rep.Results, compliance.Result{Resource: compliance.Resource{Type: compliance.S3Bucket, ID: fmt.Sprint("b", i),
			Name: fmt.Sprint("b", i), Account: fmt.Sprintf("%012d", 222222222222+i%20), Region: "eu-west-1"}, Verdict: v, Reason: r, Detail: "d"})
	}
	st.Scan, st.Counts = &rep, view.Count(&rep)
	for i := range 30 {
		st.Scans = append(st.Scans, view.ScanPoint{ID: int64(i), At: now.Add(-time.Duration(30-i) * 24 * time.Hour), Total: nRes, Compliant: nRes - i, NonCompliant: i})
	}
	st.Runs = []view.Run{{ID: "r-1", Status: "succeeded", Strategy: "in-place", Created: now, Keys: []view.RunKey{{KeyARN: "k", Alias: "alias/env1/s3",
		Steps: []view.StepEvent{{Step: "plan", Phase: "begin", At: now}, {Step: "plan", Phase: "end", At: now}}}}}}
	st.Audit = view.Audit{Checked: now, OK: true, Entries: 1, Head: "00"}
	return st
}

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
	srv := server(t, bigState(12, 300))
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
