package discover

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Located is an issue with the line of the draft to edit.
type Located struct {
	Issue
	Line int
}

// lineWriter counts the lines it writes so issues can name theirs.
type lineWriter struct {
	buf   bytes.Buffer
	line  int
	lines map[string]int // section or "env:NAME" → line
}

func (w *lineWriter) printf(mark, format string, args ...any) {
	w.line++
	if mark != "" {
		w.lines[mark] = w.line
	}
	fmt.Fprintf(&w.buf, format+"\n", args...)
}

// Render writes the draft as a commented estate file and returns it with
// each issue located on the line to edit.
func (d *Draft) Render(now time.Time) ([]byte, []Located) {
	w := &lineWriter{lines: map[string]int{}}
	w.printf("", "# byok estate drafted by `byok estate discover` on %s from the Security account %s.", now.UTC().Format(time.RFC3339), d.Security)
	w.printf("", "# A draft: policy, hsm and roles cannot be read from AWS (byok's defaults are below);")
	w.printf("", "# check them, and every line a NOT CLASSIFIED note at the end names. Then: byok estate validate FILE")
	w.printf("", "")
	w.printf("security_account", "security_account: %q", d.Security)
	w.printf("regions", "regions: [%s]               # the first Region holds multi-Region primaries", strings.Join(d.Regions, ", "))
	w.printf("alias_format", "alias_format: %q", d.Pattern.String())
	w.printf("", "")
	w.printf("policy", "policy:                      # byok's defaults: set your rotation policy")
	w.printf("", "  max_material_age: 365d")
	w.printf("", "  expiry_warning: 30d")
	w.printf("", "  wrapping: {algorithm: RSAES_OAEP_SHA_256, key_spec: RSA_4096}")
	w.printf("", "  strategy: in-place")
	w.printf("", "")
	w.printf("hsm", "# The PIN is read from the environment variable, never written here. Set your HSM's URI.")
	w.printf("hsm", "hsm: %q", "pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:BYOK_HSM_PIN")
	w.printf("", "")
	w.printf("roles", "roles:                       # the roles byok assumes; edit if yours are named otherwise")
	w.printf("", "  operator: %q", "arn:aws:iam::"+d.Security+":role/byok-operator")
	w.printf("", "  verify: %q", "arn:aws:iam::{account}:role/byok-verify")
	w.printf("", "")
	d.renderEnvironments(w)
	w.printf("services", "services: [%s]", strings.Join(d.Services, ", "))
	if len(d.MultiRegion) > 0 {
		w.printf("", "")
		w.printf("multi_region", "multi_region:")
		for _, m := range d.MultiRegion {
			w.printf("", "  - {env: %s, service: %s, replicas: [%s]}", m.Env, m.Service, strings.Join(m.Replicas, ", "))
		}
	}
	return w.buf.Bytes(), d.locate(w)
}

func (d *Draft) renderEnvironments(w *lineWriter) {
	note := ""
	if d.OrgNote != "" {
		note = "   # no account names: " + d.OrgNote
	}
	w.printf("environments", "environments:%s", note)
	for _, e := range d.Environments {
		comment := "keys: " + strings.Join(e.Keys, ", ")
		if e.AccountName != "" {
			comment = fmt.Sprintf("Organizations: %q; %s", e.AccountName, comment)
		}
		w.printf("env:"+e.Name, "  %s: {account: %q}   # %s", e.Name, e.Account, comment)
	}
}

// locate gives each issue its line and appends the NOT CLASSIFIED notes.
func (d *Draft) locate(w *lineWriter) []Located {
	out := make([]Located, 0, len(d.Issues))
	for _, is := range d.Issues {
		line := w.lines[is.Section]
		for _, f := range d.Keys {
			if f.Alias == is.Subject && is.Section == "environments" && w.lines["env:"+f.Env] != 0 {
				line = w.lines["env:"+f.Env]
			}
		}
		out = append(out, Located{Issue: is, Line: line})
	}
	if len(out) > 0 {
		w.printf("", "")
		w.printf("", "# NOT CLASSIFIED (%d): each names the line to edit; keys left out here are not managed by byok.", len(out))
		for _, l := range out {
			w.printf("", "# - line %d (%s): %s: %s", l.Line, l.Section, oneLine(l.Subject), oneLine(l.What))
		}
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
