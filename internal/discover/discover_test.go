package discover

import (
	"errors"
	"strings"
	"testing"
)

func TestParsePattern(t *testing.T) {
	cases := map[string]struct {
		pattern, alias string
		env, svc       string
		ok             bool
		err            error
	}{
		"default":          {"alias/{env}/{service}", "alias/prod/dynamodb", "prod", "dynamodb", true, nil},
		"prefixed":         {"alias/byok-{env}-{service}", "alias/byok-dev-s3", "dev", "s3", true, nil},
		"service first":    {"alias/{service}/{env}", "alias/rds/prod", "prod", "rds", true, nil},
		"no match":         {"alias/{env}/{service}", "alias/legacy/dev/s3", "", "", false, nil},
		"no alias/ prefix": {"{env}/{service}", "", "", "", false, ErrBadPattern},
		"aws reserved":     {"alias/aws/{env}/{service}", "", "", "", false, ErrBadPattern},
		"env twice":        {"alias/{env}/{env}/{service}", "", "", "", false, ErrBadPattern},
		"no service":       {"alias/{env}", "", "", "", false, ErrBadPattern},
		"adjacent":         {"alias/{env}{service}", "", "", "", false, ErrBadPattern},
		"bad character":    {"alias/{env}.{service}", "", "", "", false, ErrBadPattern},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := ParsePattern(c.pattern)
			if !errors.Is(err, c.err) {
				t.Fatalf("ParsePattern(%q) = %v, want %v", c.pattern, err, c.err)
			}
			if err != nil {
				return
			}
			env, svc, ok := p.Match(c.alias)
			if env != c.env || svc != c.svc || ok != c.ok {
				t.Fatalf("Match(%q) = %q %q %v, want %q %q %v", c.alias, env, svc, ok, c.env, c.svc, c.ok)
			}
		})
	}
}

func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{"alias/{env}/{service}", "alias/byok-{env}-{service}", "{env}", "alias/{env}{service}", "alias/\x00{env}/{service}"} {
		f.Add(s, "alias/dev/s3")
	}
	f.Fuzz(func(t *testing.T, pattern, alias string) {
		p, err := ParsePattern(pattern)
		if err != nil {
			if !errors.Is(err, ErrBadPattern) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		env, svc, ok := p.Match(alias)
		if ok && (env == "" || svc == "" || strings.Contains(env+svc, "/")) {
			t.Fatalf("%q on %q gave env %q service %q", pattern, alias, env, svc)
		}
	})
}

func TestPolicyAccounts(t *testing.T) {
	const owner = "111111111111"
	stmt := func(principal, extra string) string {
		return `{"Effect":"Allow","Principal":` + principal + `,"Action":"kms:*","Resource":"*"` + extra + `}`
	}
	doc := func(stmts ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	}
	cases := map[string]struct {
		doc        string
		accounts   string
		unreadable string
		err        error
	}{
		"root and role": {doc(stmt(`{"AWS":"arn:aws:iam::111111111111:root"}`, ""), stmt(`{"AWS":["arn:aws:iam::222222222222:root","arn:aws:iam::222222222222:role/byok-verify"]}`, "")),
			"222222222222", "", nil},
		"bare account id":  {doc(stmt(`{"AWS":"333333333333"}`, "")), "333333333333", "", nil},
		"single statement": {`{"Statement":` + stmt(`{"AWS":"333333333333"}`, "") + `}`, "333333333333", "", nil},
		"wildcard":         {doc(stmt(`"*"`, "")), "", "allows anyone", nil},
		"wildcard in list": {doc(stmt(`{"AWS":["*"]}`, "")), "", "any account", nil},
		"condition":        {doc(stmt(`{"AWS":"222222222222"}`, `,"Condition":{"StringEquals":{"kms:ViaService":"s3.eu-west-1.amazonaws.com"}}`)), "", "Condition", nil},
		"service only":     {doc(stmt(`{"Service":"logs.amazonaws.com"}`, "")), "", "", nil},
		"not an account":   {doc(stmt(`{"AWS":"arn:aws:iam::222222222222:group/x"}`, "")), "", "not an account", nil},
		"deny ignored":     {doc(`{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"}`), "", "", nil},
		"not json":         {"{", "", "", ErrBadPolicy},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := PolicyAccounts(c.doc, owner)
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if got := strings.Join(p.Accounts, ","); got != c.accounts {
				t.Fatalf("accounts = %q, want %q", got, c.accounts)
			}
			if u := strings.Join(p.Unreadable, ";"); (c.unreadable == "") != (u == "") || !strings.Contains(u, c.unreadable) {
				t.Fatalf("unreadable = %q, want %q", u, c.unreadable)
			}
		})
	}
}

func FuzzPolicyAccounts(f *testing.F) {
	for _, s := range []string{`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"}}]}`, `{"Statement":{"Effect":"Allow","Principal":"*"}}`, `{`, `null`, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":[1]}}]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := PolicyAccounts(doc, "111111111111")
		if err != nil && !errors.Is(err, ErrBadPolicy) {
			t.Fatalf("untyped error %v", err)
		}
		for _, a := range p.Accounts {
			if !accountIDRE.MatchString(a) || a == "111111111111" {
				t.Fatalf("account %q from %q", a, doc)
			}
		}
	})
}

func TestAssembleReportsWhatDoesNotFit(t *testing.T) {
	pat, _ := ParsePattern("alias/{env}/{service}")
	o := Options{Security: "111111111111", Regions: []string{"eu-west-1"}, Pattern: pat, Org: map[string]string{"222222222222": "dev"}}
	key := func(env, svc, arn string, consumers ...string) Found {
		return Found{Env: env, Service: svc, Alias: "alias/" + env + "/" + svc, KeyARN: arn, Region: "eu-west-1", Consumers: consumers}
	}
	d := Assemble(o, []Found{
		key("dev", "s3", "k1", "222222222222"), key("dev", "s3", "k2", "222222222222"), // two keys, one env/service
		key("dev", "rds", "k3", "222222222222"),
		key("prod", "rds", "k4", "333333333333"),      // outside the organisation
		key("prod", "dynamodb", "k6", "333333333333"), // dev has none: a hole
		key("qa", "rds", "k5", "444444444444", "555555555555"),
	}, nil)
	want := []string{"2 keys in eu-west-1", "not in the organisation", "allows 2 accounts", "expects alias/dev/dynamodb"}
	var all []string
	for _, is := range d.Issues {
		all = append(all, is.Section+": "+is.What)
	}
	text := strings.Join(all, "\n")
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("issues lack %q:\n%s", w, text)
		}
	}
	if len(d.Environments) != 2 || d.Environments[0].AccountName != "dev" {
		t.Fatalf("environments = %+v", d.Environments)
	}
}
