package regions

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	cases := map[string]struct {
		region    string
		partition string // "" = unknown
		suggests  string
	}{
		"commercial":        {"eu-west-1", "aws", ""},
		"gov":               {"us-gov-west-1", "aws-us-gov", ""},
		"china":             {"cn-north-1", "aws-cn", ""},
		"typo number":       {"eu-west-9", "", "eu-west-1, eu-west-2, eu-west-3"},
		"typo name":         {"eu-wset-1", "", ""},
		"pseudo region":     {"aws-global", "", ""},
		"empty":             {"", "", ""},
		"upper case":        {"EU-WEST-1", "", ""},
		"availability zone": {"eu-west-1a", "", ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p, ok := Partition(c.region)
			err := Check(c.region)
			if c.partition != "" {
				if !ok || p != c.partition || err != nil {
					t.Fatalf("Partition(%q) = %q, %v; Check = %v; want %q", c.region, p, ok, err, c.partition)
				}
				return
			}
			if ok || !errors.Is(err, ErrUnknown) {
				t.Fatalf("Partition(%q) = %q, %v; Check = %v; want ErrUnknown", c.region, p, ok, err)
			}
			if c.suggests != "" && !strings.Contains(err.Error(), "did you mean "+c.suggests) {
				t.Fatalf("Check(%q) = %v; want a suggestion of %s", c.region, err, c.suggests)
			}
		})
	}
}

// TestTableMatchesGoMod fails when go.mod moves to another SDK version
// without go generate ./internal/regions.
func TestTableMatchesGoMod(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*github.com/aws/aws-sdk-go-v2 (v\S+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod does not require github.com/aws/aws-sdk-go-v2")
	}
	if want := "aws-sdk-go-v2 " + string(m[1]); sdkVersion != want {
		t.Fatalf("table.go was generated from %s, go.mod has %s: run go generate ./internal/regions", sdkVersion, want)
	}
	if len(Names()) < 30 {
		t.Fatalf("only %d regions in the table", len(Names()))
	}
}
