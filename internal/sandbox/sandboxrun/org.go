package sandboxrun

import (
	"fmt"
	"slices"

	"github.com/byok-dev/byok/internal/sandbox/orgsvc"
)

// SetOrganization makes the sandbox's accounts ids (each already added)
// one AWS organization managed by management, with the names they were
// added under and delegated as delegated administrators. Organizations then
// answers DescribeOrganization for them and ListAccounts for management
// and delegated accounts; any other caller meets AWS's errors.
func (s *Sandbox) SetOrganization(management string, ids []string, delegated ...string) error {
	names := map[string]string{}
	for _, a := range s.Accounts() {
		names[a.ID] = a.Name
	}
	if !slices.Contains(ids, management) {
		ids = append([]string{management}, ids...)
	}
	org := &orgsvc.Organization{Management: management, Delegated: slices.Clone(delegated)}
	for _, id := range ids {
		name, ok := names[id]
		if !ok {
			return fmt.Errorf("organization: account %s is not a sandbox account (add it first)", id)
		}
		org.Members = append(org.Members, orgsvc.Member{ID: id, Name: name, Email: name + "@example.com"})
	}
	s.Organizations.SetOrganization(org)
	return nil
}
