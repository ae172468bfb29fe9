package regions

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrUnknown is returned for a name no partition lists.
var ErrUnknown = errors.New("unknown AWS Region")

// Partition returns the partition (aws, aws-cn, aws-us-gov, …) of region,
// or false when no partition lists it. Pseudo-regions such as aws-global
// are not regions a resource lives in and are not listed.
func Partition(region string) (string, bool) {
	p, ok := table[region]
	return p, ok
}

// Check returns nil for a known region, else ErrUnknown wrapped with the
// closest known names, so "eu-west-9" says "did you mean eu-west-1, …".
func Check(region string) error {
	if _, ok := table[region]; ok {
		return nil
	}
	return fmt.Errorf("%w %q: no AWS partition lists it (SDK partition metadata of %s)%s",
		ErrUnknown, region, sdkVersion, suggest(region))
}

// Names returns every known region, sorted.
func Names() []string {
	out := make([]string, 0, len(table))
	for r := range table {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// suggest names known regions sharing region's prefix up to its last dash
// ("eu-west-" for "eu-west-9").
func suggest(region string) string {
	i := strings.LastIndex(region, "-")
	if i <= 0 {
		return ""
	}
	var near []string
	for _, r := range Names() {
		if strings.HasPrefix(r, region[:i+1]) {
			near = append(near, r)
		}
	}
	if len(near) == 0 {
		return ""
	}
	return "; did you mean " + strings.Join(near, ", ") + "?"
}
