package discover

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/smithy-go"
)

// Organizations is the call OrgNames makes.
type Organizations interface {
	ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, opts ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
}

// ErrOrgUnavailable wraps the reason account names could not be read
// (AccessDeniedException from a member account that is neither the
// management account nor a delegated administrator,
// AWSOrganizationsNotInUseException outside any organisation). Discover
// goes on without names.
var ErrOrgUnavailable = errors.New("organizations unavailable")

// OrgNames reads every account of the organisation: ID → name.
func OrgNames(ctx context.Context, c Organizations) (map[string]string, error) {
	out := map[string]string{}
	p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var ae smithy.APIError
			if errors.As(err, &ae) {
				return nil, fmt.Errorf("%w: %s: %s", ErrOrgUnavailable, ae.ErrorCode(), ae.ErrorMessage())
			}
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		for _, a := range page.Accounts {
			out[aws.ToString(a.Id)] = aws.ToString(a.Name)
		}
	}
	return out, nil
}
