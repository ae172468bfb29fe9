package kmssvc

import (
	"fmt"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/identity"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// BenchmarkGrantAuthorize measures authorize() for a caller the key policy
// does not name, whose permission comes from a grant with an
// encryption-context constraint, with n grants in the sandbox (on other
// keys): the cost a grant-authorized Encrypt adds.
func BenchmarkGrantAuthorize(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("grants=%d", n), func(b *testing.B) {
			s := &Service{env: &svc.Env{Partition: "aws"}, grants: newGrantIndex()}
			k := &key{ARN: "arn:aws:kms:eu-west-1:111111111111:key/k", Account: "111111111111"}
			k.policy, _ = parsePolicy(defaultPolicy("aws", "111111111111"))
			for i := 0; i < n; i++ {
				g := &grant{ID: newGrantID(), KeyARN: fmt.Sprintf("%s-%d", k.ARN, i), Grantee: "arn:aws:iam::222222222222:root", Operations: []string{"Encrypt"}, Created: time.Unix(int64(i), 0)}
				s.grants.add(g)
			}
			g := &grant{ID: newGrantID(), KeyARN: k.ARN, Grantee: "arn:aws:iam::222222222222:role/app", Operations: []string{"Encrypt"},
				Constraints: &constraints{EncryptionContextSubset: map[string]string{"app": "x"}}}
			s.grants.add(g)
			c := &svc.Call{Caller: identity.Principal{Account: "222222222222", ARN: "arn:aws:sts::222222222222:assumed-role/app/s", RoleARN: "arn:aws:iam::222222222222:role/app"}}
			a := access{action: "Encrypt", encCtx: map[string]string{"app": "x"}}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := s.authorize(c, k, a, &event{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
