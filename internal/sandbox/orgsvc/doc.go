// Package orgsvc is the sandbox's AWS Organizations (JSON 1.1, signing name
// "organizations", target prefix AWSOrganizationsV20161128):
// DescribeOrganization and ListAccounts over one organization set up by
// the sandbox's owner (sandboxrun.SetOrganization), with AWS's errors: a
// caller whose account is in no organization gets
// AWSOrganizationsNotInUseException; ListAccounts from a member account that
// is neither the management account nor a delegated administrator gets
// AccessDeniedException. It offers nothing else (no OUs, policies,
// handshakes or account creation).
package orgsvc
