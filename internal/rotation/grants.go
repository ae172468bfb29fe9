package rotation

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// grantCopyPrefix names a grant byok copied from the old key of a new-key
// rotation: "byok-copy-" and the old grant's ID.
const grantCopyPrefix = "byok-copy-"

// copyGrants recreates the old key's grants on the new key before the
// alias moves. A grant authorizes its grantee on one key only, so a
// consumer that Encrypts through the alias with permission from a grant
// (not the key policy) would be refused on the new key. The copy keeps
// grantee, retiring principal, operations and constraints; its Name is
// derived from the old grant's ID, so KMS's Name-idempotency makes a retry,
// a lost answer or a resumed run return the same grant, never a second one.
// Grants to AWS service principals are copied too: the service retires them.
func (j *keyJob) copyGrants(ctx context.Context) error {
	p := kms.NewListGrantsPaginator(j.kms, &kms.ListGrantsInput{KeyId: aws.String(j.rk.KeyARN)})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list grants of the old key %s: %w", j.rk.KeyARN, err)
		}
		for _, g := range page.Grants {
			_, err := j.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(j.rk.NewKeyID),
				GranteePrincipal: g.GranteePrincipal, RetiringPrincipal: g.RetiringPrincipal,
				Operations: g.Operations, Constraints: g.Constraints,
				Name: aws.String(grantCopyPrefix + aws.ToString(g.GrantId))})
			if err != nil {
				return fmt.Errorf("copy grant %s of %s to the new key %s (grantee %s): %w",
					aws.ToString(g.GrantId), j.rk.KeyARN, j.rk.NewKeyID, aws.ToString(g.GranteePrincipal), err)
			}
			n++
		}
	}
	if n > 0 {
		j.e.logger().InfoContext(ctx, "copied the old key's grants to the new key", logRun, j.run.ID.String(), logKey, j.rk.NewKeyID, "grants", n)
	}
	return nil
}
