package orgsvc_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

const (
	mgmt     = "999999999999"
	security = "111111111111"
	dev      = "222222222222"
	outside  = "444444444444"
)

func client(sb *sandboxrun.Sandbox, account string) *organizations.Client {
	cfg := sb.Config(context.Background(), account)
	cfg.Region = "us-east-1"
	return organizations.NewFromConfig(cfg, func(o *organizations.Options) { o.RetryMaxAttempts = 1 })
}

func TestOrganizations(t *testing.T) {
	sb := sandboxrun.NewTest(t, false)
	for id, name := range map[string]string{mgmt: "management", security: "security", dev: "dev", outside: "outside"} {
		if err := sb.AddAccount(id, name); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	var notInUse *types.AWSOrganizationsNotInUseException
	if _, err := client(sb, security).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); !errors.As(err, &notInUse) {
		t.Fatalf("no organization yet: %v, want AWSOrganizationsNotInUseException", err)
	}
	if err := sb.SetOrganization(mgmt, []string{security, dev}, security); err != nil {
		t.Fatal(err)
	}
	d, err := client(sb, dev).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil || aws.ToString(d.Organization.MasterAccountId) != mgmt {
		t.Fatalf("DescribeOrganization from a member: %+v %v", d, err)
	}
	for _, caller := range []string{mgmt, security} { // management, delegated administrator
		names := map[string]string{}
		p := organizations.NewListAccountsPaginator(client(sb, caller), &organizations.ListAccountsInput{MaxResults: aws.Int32(2)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListAccounts from %s: %v", caller, err)
			}
			for _, a := range page.Accounts {
				names[aws.ToString(a.Id)] = aws.ToString(a.Name)
			}
		}
		if len(names) != 3 || names[dev] != "dev" || names[mgmt] != "management" {
			t.Fatalf("ListAccounts from %s = %v", caller, names)
		}
	}
	var denied *types.AccessDeniedException
	if _, err := client(sb, dev).ListAccounts(ctx, &organizations.ListAccountsInput{}); !errors.As(err, &denied) {
		t.Fatalf("ListAccounts from a plain member: %v, want AccessDeniedException", err)
	}
	if _, err := client(sb, outside).ListAccounts(ctx, &organizations.ListAccountsInput{}); !errors.As(err, &notInUse) {
		t.Fatalf("ListAccounts from outside: %v, want AWSOrganizationsNotInUseException", err)
	}
	var bad *types.InvalidInputException
	if _, err := client(sb, mgmt).ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: aws.String("!!")}); !errors.As(err, &bad) {
		t.Fatalf("forged token: %v, want InvalidInputException", err)
	}
}
