package configrule

import (
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/keyfacts"
)

// EstateRecheck bounds how often a warm container checks the estate
// object's ETag or the parameter's version.
const EstateRecheck = time.Minute

// NewHandler wires the production handler from the function's own
// configuration, whose credentials are the Security account's: key facts
// with those credentials, the estate from S3 or SSM (defaults when the
// rule parameters name no location), and PutEvaluations in each member
// account through the event's executionRoleArn. The Lambda and
// `byok sandbox config-invoke` both use it, so the sandbox runs the code
// AWS runs.
func NewHandler(cfg aws.Config, defaults Params, logger *slog.Logger) *Handler {
	return &Handler{
		Facts: SecurityAccountFacts(KMSClients(cfg)),
		Estate: &EstateLoader{
			S3: awsx.S3(cfg), SSM: ssm.NewFromConfig(cfg), Default: defaults, Recheck: EstateRecheck,
		},
		Config: AssumeRoleClients(cfg, sts.NewFromConfig(cfg)),
		Now:    time.Now,
		Logger: logger,
	}
}

// KMSClients keeps one KMS client per region for the container's life;
// keyfacts asks for them from concurrent workers.
func KMSClients(cfg aws.Config) func(region string) keyfacts.KMS {
	var mu sync.Mutex
	clients := map[string]*kms.Client{}
	return func(region string) keyfacts.KMS {
		mu.Lock()
		defer mu.Unlock()
		if c, ok := clients[region]; ok {
			return c
		}
		c := kms.NewFromConfig(awsx.WithRegion(cfg, region))
		clients[region] = c
		return c
	}
}
