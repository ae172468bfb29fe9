package configrule

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/configservice"

	"github.com/byok-dev/byok/internal/awsx"
)

// sessionName appears in the member account's CloudTrail for every call.
const sessionName = "byok-config-rule"

// AssumeRoleClients returns ConfigClients that assume the event's
// executionRoleArn with stsClient (the Security account's credentials) and
// keep one client per role for the life of the container. An empty role
// (an account-level rule, not an organization rule) uses cfg as is.
func AssumeRoleClients(cfg aws.Config, stsClient stscreds.AssumeRoleAPIClient) ConfigClients {
	var mu sync.Mutex
	clients := map[string]*configservice.Client{}
	return func(_ context.Context, role string) (ConfigAPI, error) {
		mu.Lock()
		defer mu.Unlock()
		if c, ok := clients[role]; ok {
			return c, nil
		}
		c := cfg.Copy()
		if role != "" {
			c.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, role, func(o *stscreds.AssumeRoleOptions) {
				o.RoleSessionName = sessionName
			}))
			// A warm container outlives the session: refresh it when
			// Config answers ExpiredToken, as every byok session does.
			c.Retryer = awsx.RefreshOnExpiry(cfg, c.Credentials)
		}
		client := configservice.NewFromConfig(c)
		clients[role] = client
		return client, nil
	}
}
