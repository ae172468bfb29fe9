package estate

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// baseLines is a small valid estate; cases replace numbered lines (1-based)
// or append lines from 11 on, so each expected error has a known line.
var baseLines = []string{
	`security_account: "111111111111"`,
	`regions: [eu-west-1]`,
	`hsm: "pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:BYOK_HSM_PIN"`,
	`roles:`,
	`  operator: "arn:aws:iam::111111111111:role/byok-operator"`,
	`  verify: "arn:aws:iam::{account}:role/byok-verify"`,
	`environments:`,
	`  dev: {account: "222222222222", maintenance_window: "Sat 02:00-04:00 UTC"}`,
	`  prod: {account: "333333333333"}`,
	`services: [s3, rds, dynamodb]`,
}

func withLines(edits map[int]string, extra ...string) string {
	lines := append([]string(nil), baseLines...)
	for n, text := range edits {
		lines[n-1] = text
	}
	return strings.Join(append(lines, extra...), "\n") + "\n"
}

func TestBaseIsValid(t *testing.T) {
	if _, err := Parse("base.yaml", []byte(withLines(nil))); err != nil {
		t.Fatalf("base estate: %v", err)
	}
}

type errCase struct {
	doc   string
	class error
	field string
	line  int
	hint  string // substring of the hint, when the hint matters
}

var errCases = map[string]errCase{
	"unknown top field":   {withLines(nil, "polcy: {}"), ErrUnknownField, "polcy", 11, `did you mean "policy"`},
	"unknown env field":   {withLines(map[int]string{9: `  prod: {account: "333333333333", acount: "4"}`}), ErrUnknownField, "environments.prod.acount", 9, `did you mean "account"`},
	"unknown far field":   {withLines(nil, "zzzzzzzz: 1"), ErrUnknownField, "zzzzzzzz", 11, "expected one of"},
	"duplicate top field": {withLines(nil, "regions: [eu-west-2]"), ErrDuplicate, "regions", 11, "line 2"},
	"missing security":    {withLines(map[int]string{1: "# none"}), ErrMissing, "security_account", 2, "owns every key"},
	"missing env account": {withLines(map[int]string{9: `  prod: {maintenance_window: "Sun 03:00-05:00 UTC"}`}), ErrMissing, "environments.prod.account", 9, "consumer account"},
	"regions not a list":  {withLines(map[int]string{2: "regions: eu-west-1"}), ErrType, "regions", 2, ""},
	"account null":        {withLines(map[int]string{1: "security_account:"}), ErrType, "security_account", 1, ""},
	// yaml.v3 places this at the 0-based line of the unclosed '{' (line 8).
	"syntax":                {withLines(map[int]string{8: `  dev: {account: "222222222222"`}), ErrSyntax, "", 7, "tabs"},
	"two documents":         {withLines(nil, "---", "regions: [eu-west-2]"), ErrSyntax, "", 11, "second '---'"},
	"account 11 digits":     {withLines(map[int]string{1: `security_account: "11111111111"`}), ErrAccountID, "security_account", 1, "12 digits"},
	"account float":         {withLines(map[int]string{1: `security_account: 1.11111111111e11`}), ErrAccountID, "security_account", 1, ""},
	"account underscores":   {withLines(map[int]string{1: `security_account: 111_111_111_111`}), ErrAccountID, "security_account", 1, ""},
	"account letters":       {withLines(map[int]string{8: `  dev: {account: "22222222222x"}`}), ErrAccountID, "environments.dev.account", 8, ""},
	"consumer is security":  {withLines(map[int]string{9: `  prod: {account: "111111111111"}`}), ErrAccountConflict, "environments.prod.account", 9, "Security account"},
	"duplicate account":     {withLines(map[int]string{9: `  prod: {account: "222222222222"}`}), ErrDuplicate, "environments.prod.account", 9, ""},
	"duplicate env":         {withLines(map[int]string{9: `  dev: {account: "333333333333"}`}), ErrDuplicate, "environments.dev", 9, "line 8"},
	"bad env name":          {withLines(map[int]string{9: `  pr/od: {account: "333333333333"}`}), ErrName, "environments.pr/od", 9, ""},
	"no environments":       {withLines(map[int]string{7: "environments: {}", 8: "", 9: ""}), ErrMissing, "environments", 7, ""},
	"operator not a role":   {withLines(map[int]string{5: `  operator: "arn:aws:iam::111111111111:user/byok"`}), ErrARN, "roles.operator", 5, "role/<name>"},
	"operator placeholder":  {withLines(map[int]string{5: `  operator: "arn:aws:iam::{account}:role/byok"`}), ErrARN, "roles.operator", 5, ""},
	"operator short acct":   {withLines(map[int]string{5: `  operator: "arn:aws:iam::11111111111:role/byok"`}), ErrARN, "roles.operator", 5, ""},
	"operator other acct":   {withLines(map[int]string{5: `  operator: "arn:aws:iam::222222222222:role/byok"`}), ErrAccountConflict, "roles.operator", 5, "111111111111"},
	"verify other holder":   {withLines(map[int]string{6: `  verify: "arn:aws:iam::{env}:role/byok-verify"`}), ErrARN, "roles.verify", 6, "{account}"},
	"verify partition":      {withLines(map[int]string{6: `  verify: "arn:aws:sts::{account}:role/byok-verify"`}), ErrARN, "roles.verify", 6, ""},
	"missing verify":        {withLines(map[int]string{6: ""}), ErrMissing, "roles.verify", 5, "{account}"},
	"bad region":            {withLines(map[int]string{2: "regions: [eu-west-1a]"}), ErrRegion, "regions[0]", 2, "eu-west-1"},
	"region display name":   {withLines(map[int]string{2: "regions: [Ireland]"}), ErrRegion, "regions[0]", 2, ""},
	"duplicate region":      {withLines(map[int]string{2: "regions: [eu-west-1, eu-west-1]"}), ErrDuplicate, "regions[1]", 2, ""},
	"no regions":            {withLines(map[int]string{2: "regions: []"}), ErrMissing, "regions", 2, ""},
	"duration no unit":      {withLines(nil, "policy: {max_material_age: 365}"), ErrDuration, "policy.max_material_age", 11, "365d"},
	"duration zero":         {withLines(nil, "policy: {max_material_age: 0d}"), ErrDuration, "policy.max_material_age", 11, ""},
	"duration negative":     {withLines(nil, "policy: {expiry_warning: -5d}"), ErrDuration, "policy.expiry_warning", 11, ""},
	"duration years":        {withLines(nil, "policy: {max_material_age: 1y}"), ErrDuration, "policy.max_material_age", 11, ""},
	"duration overflow":     {withLines(nil, "policy: {max_material_age: 99999999999w}"), ErrDuration, "policy.max_material_age", 11, ""},
	"warning not shorter":   {withLines(nil, "policy: {max_material_age: 30d, expiry_warning: 30d}"), ErrDuration, "policy.expiry_warning", 11, "shorter"},
	"max below default":     {withLines(nil, "policy: {max_material_age: 7d}"), ErrDuration, "policy.max_material_age", 11, ""},
	"wrapping pkcs1":        {withLines(nil, "policy: {wrapping: {algorithm: RSAES_PKCS1_V1_5}}"), ErrWrapping, "policy.wrapping.algorithm", 11, "RSAES_OAEP_SHA_256"},
	"wrapping unknown":      {withLines(nil, "policy: {wrapping: {algorithm: RSAES_OAEP_SHA_265}}"), ErrWrapping, "policy.wrapping.algorithm", 11, `did you mean "RSAES_OAEP_SHA_256"`},
	"key spec":              {withLines(nil, "policy: {wrapping: {key_spec: RSA_1024}}"), ErrWrapping, "policy.wrapping.key_spec", 11, ""},
	"strategy":              {withLines(nil, "policy: {strategy: inplace}"), ErrStrategy, "policy.strategy", 11, `did you mean "in-place"`},
	"window no utc":         {withLines(map[int]string{9: `  prod: {account: "333333333333", maintenance_window: "Sun 03:00-05:00"}`}), ErrWindow, "environments.prod.maintenance_window", 9, "UTC"},
	"window hour 25":        {withLines(map[int]string{9: `  prod: {account: "333333333333", maintenance_window: "Sun 25:00-05:00 UTC"}`}), ErrWindow, "environments.prod.maintenance_window", 9, ""},
	"window empty":          {withLines(map[int]string{9: `  prod: {account: "333333333333", maintenance_window: "Sun 05:00-05:00 UTC"}`}), ErrWindow, "environments.prod.maintenance_window", 9, ""},
	"window full day name":  {withLines(map[int]string{9: `  prod: {account: "333333333333", maintenance_window: "Sunday 03:00-05:00 UTC"}`}), ErrWindow, "environments.prod.maintenance_window", 9, ""},
	"hsm scheme":            {withLines(map[int]string{3: `hsm: "/usr/lib/softhsm/libsofthsm2.so"`}), ErrHSM, "hsm", 3, "pkcs11:"},
	"hsm pin in uri":        {withLines(map[int]string{3: `hsm: "pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=S3CRETPIN"`}), ErrHSM, "hsm", 3, "pin-source=env:NAME"},
	"unknown service":       {withLines(map[int]string{10: "services: [s3, dynamo]"}), ErrUnknownService, "services[1]", 10, `did you mean "dynamodb"`},
	"duplicate service":     {withLines(map[int]string{10: "services: [s3, rds, s3]"}), ErrDuplicate, "services[2]", 10, ""},
	"alias no prefix":       {withLines(nil, `alias_format: "{env}/{service}"`), ErrAliasFormat, "alias_format", 11, ""},
	"alias aws reserved":    {withLines(nil, `alias_format: "alias/aws/{env}-{service}"`), ErrAliasFormat, "alias_format", 11, ""},
	"alias no env":          {withLines(nil, `alias_format: "alias/{service}"`), ErrAliasFormat, "alias_format", 11, ""},
	"alias bad placeholder": {withLines(nil, `alias_format: "alias/{env}/{service}/{region}"`), ErrAliasFormat, "alias_format", 11, ""},
	"mr unknown env":        {withLines(nil, "multi_region: [{env: prd, service: s3, replicas: [eu-central-1]}]"), ErrUnknownReference, "multi_region[0].env", 11, `did you mean "prod"`},
	"mr unlisted service":   {withLines(map[int]string{10: "services: [s3]"}, "multi_region: [{env: prod, service: rds, replicas: [eu-central-1]}]"), ErrUnknownReference, "multi_region[0].service", 11, ""},
	"mr unknown service":    {withLines(nil, "multi_region: [{env: prod, service: ec2, replicas: [eu-central-1]}]"), ErrUnknownService, "multi_region[0].service", 11, ""},
	"mr replica primary":    {withLines(nil, "multi_region: [{env: prod, service: s3, replicas: [eu-west-1]}]"), ErrReplica, "multi_region[0].replicas[0]", 11, "primary"},
	"mr replica bad":        {withLines(nil, "multi_region: [{env: prod, service: s3, replicas: [mars-1]}]"), ErrRegion, "multi_region[0].replicas[0]", 11, ""},
	"mr replica twice":      {withLines(nil, "multi_region: [{env: prod, service: s3, replicas: [us-east-1, us-east-1]}]"), ErrDuplicate, "multi_region[0].replicas[1]", 11, ""},
	"mr no replicas":        {withLines(nil, "multi_region: [{env: prod, service: s3, replicas: []}]"), ErrMissing, "multi_region[0].replicas", 11, ""},
	// Holes closed by the cross-field checks (crosscheck.go).
	"region unknown":          {withLines(map[int]string{2: "regions: [eu-west-9]"}), ErrRegion, "regions[0]", 2, "did you mean eu-west-1, eu-west-2, eu-west-3"},
	"region unknown 2nd":      {withLines(map[int]string{2: "regions: [eu-west-1, us-east-7]"}), ErrRegion, "regions[1]", 2, "us-east-1"},
	"regions two partitions":  {withLines(map[int]string{2: "regions: [eu-west-1, cn-north-1]"}), ErrRegion, "regions[1]", 2, "own estate file"},
	"replica unknown":         {withLines(nil, "multi_region: [{env: prod, service: s3, replicas: [eu-central-9]}]"), ErrRegion, "multi_region[0].replicas[0]", 11, "eu-central-1"},
	"replica other partition": {withLines(nil, "multi_region: [{env: prod, service: s3, replicas: [us-gov-west-1]}]"), ErrReplica, "multi_region[0].replicas[0]", 11, "partition"},
	"verify pinned, 2 accts":  {withLines(map[int]string{6: `  verify: "arn:aws:iam::222222222222:role/byok-verify"`}), ErrAccountConflict, "roles.verify", 6, "arn:aws:iam::{account}:role/byok-verify"},
	"verify pinned elsewhere": {withLines(map[int]string{6: `  verify: "arn:aws:iam::444444444444:role/byok-verify"`, 9: ""}), ErrAccountConflict, "roles.verify", 6, "222222222222"},
	"hsm no module":           {withLines(map[int]string{3: `hsm: "pkcs11:token=byok?pin-source=env:BYOK_HSM_PIN"`}), ErrHSM, "hsm", 3, "module-path="},
	"hsm no pin source":       {withLines(map[int]string{3: `hsm: "pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so"`}), ErrHSM, "hsm", 3, "pin-source=env:"},
	"mr duplicate": {withLines(nil, "multi_region:", "  - {env: prod, service: s3, replicas: [us-east-1]}",
		"  - {env: prod, service: s3, replicas: [us-west-2]}"), ErrDuplicate, "multi_region[1]", 13, ""},
}

func TestParseErrors(t *testing.T) {
	for name, tc := range errCases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("e.yaml", []byte(tc.doc))
			if !errors.Is(err, tc.class) {
				t.Fatalf("error %v, want class %v", err, tc.class)
			}
			for _, e := range Errors(err) {
				if errors.Is(e, tc.class) && e.Field == tc.field && e.Line == tc.line {
					if !strings.Contains(e.Hint, tc.hint) {
						t.Errorf("hint %q, want it to contain %q", e.Hint, tc.hint)
					}
					if e.File != "e.yaml" {
						t.Errorf("file %q, want e.yaml", e.File)
					}
					return
				}
			}
			t.Fatalf("no %v error at %s line %d in:\n%v", tc.class, tc.field, tc.line, err)
		})
	}
}

func TestParseCollectsAllErrorsInOrder(t *testing.T) {
	doc := withLines(map[int]string{1: `security_account: "1"`, 10: "services: [s4]"}, "policy: {strategy: x}")
	_, err := Parse("e.yaml", []byte(doc))
	got := Errors(err)
	want := []struct {
		field string
		class error
	}{{"security_account", ErrAccountID}, {"services[0]", ErrUnknownService}, {"policy.strategy", ErrStrategy}}
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d: %v", len(got), len(want), err)
	}
	for i, w := range want {
		if got[i].Field != w.field || !errors.Is(got[i], w.class) {
			t.Errorf("error %d = %v, want %s %v", i, got[i], w.field, w.class)
		}
	}
}

func TestErrorRendering(t *testing.T) {
	_, err := Parse("byok.yaml", []byte(withLines(map[int]string{3: `hsm: "softhsm"`})))
	want := `byok.yaml:3:6: hsm: the HSM must be a pkcs11: URI (hint: write a PKCS#11 URI (RFC 7512) such as ` +
		`pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:BYOK_HSM_PIN)`
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
	noPos := &Error{File: "f", Msg: "m", Err: ErrSyntax}
	if noPos.Error() != "f: m" {
		t.Errorf("no position: %q", noPos.Error())
	}
}

func TestEmptyFile(t *testing.T) {
	for _, doc := range []string{"", "# only a comment\n", "---\n"} {
		_, err := Parse("e.yaml", []byte(doc))
		if !errors.Is(err, ErrMissing) && !errors.Is(err, ErrType) {
			t.Errorf("%q: %v, want ErrMissing or ErrType", doc, err)
		}
	}
}

func TestServiceTypoDoesNotCascade(t *testing.T) {
	doc := withLines(map[int]string{10: "services: [s3, dynamo]"}, "multi_region: [{env: prod, service: dynamodb, replicas: [us-east-1]}]")
	_, err := Parse("e.yaml", []byte(doc))
	if got := Errors(err); len(got) != 1 || !errors.Is(got[0], ErrUnknownService) {
		t.Fatalf("want only the services typo, got %v", err)
	}
}

func TestLimits(t *testing.T) {
	var alias strings.Builder
	alias.WriteString("multi_region:\n  - &e {env: prod, service: s3, replicas: [")
	for i := range 5000 { // distinct valid region codes: xx-<letters>-1
		fmt.Fprintf(&alias, "xx-%c%c%c-1, ", 'a'+i%26, 'a'+i/26%26, 'a'+i/676%26)
	}
	alias.WriteString("us-east-1]}\n")
	alias.WriteString(strings.Repeat("  - *e\n", 5000))
	var broken strings.Builder
	for i := range 300 {
		fmt.Fprintf(&broken, "bad%d: 1\n", i)
	}
	for name, doc := range map[string]string{
		"aliases repeat a large list": withLines(nil, alias.String()),
		"hundreds of problems":        withLines(nil, broken.String()),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("big.yaml", []byte(doc))
			if got := Errors(err); !errors.Is(err, ErrLimit) || len(got) > maxErrors {
				t.Fatalf("%d errors, want at most %d including ErrLimit: %v", len(got), maxErrors, got[:min(len(got), 3)])
			}
		})
	}
}

func TestTwoBadAccountsAreNotDuplicates(t *testing.T) {
	doc := withLines(map[int]string{8: `  dev: {account: "2"}`, 9: `  prod: {account: "3"}`})
	_, err := Parse("e.yaml", []byte(doc))
	if got := Errors(err); len(got) != 2 || !errors.Is(got[0], ErrAccountID) || !errors.Is(got[1], ErrAccountID) {
		t.Fatalf("want two ErrAccountID, got %v", err)
	}
}

// TestValidHoleNeighbours: the valid neighbours of the holes closed in
// crosscheck.go stay valid.
func TestValidHoleNeighbours(t *testing.T) {
	valid := map[string]string{
		"verify pinned to the only consumer": withLines(map[int]string{6: `  verify: "arn:aws:iam::222222222222:role/byok-verify"`, 9: ""}),
		"regions of one partition":           withLines(map[int]string{2: "regions: [us-gov-west-1, us-gov-east-1]"}),
		"replica in the primary's partition": withLines(nil, "multi_region: [{env: prod, service: s3, replicas: [eu-central-2]}]"),
		"nss module and pin file":            withLines(map[int]string{3: `hsm: "pkcs11:token=NSS%20Certificate%20DB?module-path=/usr/lib/x86_64-linux-gnu/libsoftokn3.so&x-nss-dir=/tmp/db&pin-source=file:/run/pin"`}),
	}
	for name, doc := range valid {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse("e.yaml", []byte(doc)); err != nil {
				t.Fatalf("%v", err)
			}
		})
	}
}
