package configrule

import (
	"errors"
	"strings"
	"testing"
)

func TestExecutionRole(t *testing.T) {
	const slr = "arn:aws:iam::222222222222:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
	tests := map[string]struct {
		account, arn, name string
		want               string
		err                error
	}{
		"parameter wins over the service-linked role": {devAcct, slr, "byok-config-rule-member", "arn:aws:iam::222222222222:role/byok-config-rule-member", nil},
		"parameter wins over a custom role":           {devAcct, "arn:aws:iam::222222222222:role/other", "member", "arn:aws:iam::222222222222:role/member", nil},
		"parameter keeps the event's partition":       {devAcct, "arn:aws-us-gov:iam::222222222222:role/x", "member", "arn:aws-us-gov:iam::222222222222:role/member", nil},
		"custom role used as is":                      {devAcct, "arn:aws:iam::222222222222:role/byok-config-rule-member", "", "arn:aws:iam::222222222222:role/byok-config-rule-member", nil},
		"service-linked role of a member is refused":  {devAcct, slr, "", "", ErrExecutionRole},
		"service-linked role of the Security account": {secAcct, strings.Replace(slr, devAcct, secAcct, 1), "", "", nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ev := Event{Account: tc.account, ExecutionRoleARN: tc.arn, Params: Params{ExecutionRoleName: tc.name}}
			got, err := executionRole(ev, secAcct)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("executionRole = %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
			if tc.err != nil && !strings.Contains(err.Error(), "executionRoleName") {
				t.Fatalf("error does not name the parameter: %v", err)
			}
		})
	}
}
