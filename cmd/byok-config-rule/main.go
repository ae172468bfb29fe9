// Command byok-config-rule is the AWS Config custom rule Lambda function
// (runtime provided.al2023, built with CGO_ENABLED=0 as "bootstrap"). It
// runs in the Security account as the function of an organization rule,
// reads key facts with its own credentials and reports to each member
// account through the event's executionRoleArn. It must not import
// internal/hsm (cgo). Configuration comes from the Lambda environment:
// AWS_REGION (set by Lambda), optional AWS_ENDPOINT_URL (the sandbox), and
// the default estate location BYOK_ESTATE_S3_URI or
// BYOK_ESTATE_SSM_PARAMETER when the rule parameters name none.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/configrule"
	"github.com/byok-dev/byok/internal/keyfacts"
)

// estateRecheck bounds how often a warm container checks the estate
// object's ETag or the parameter's version.
const estateRecheck = time.Minute

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	h, err := newHandler(context.Background(), logger)
	if err != nil {
		logger.Error("start", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}

func newHandler(ctx context.Context, logger *slog.Logger) (*configrule.Handler, error) {
	cfg, err := awsx.Load(ctx, os.Getenv("AWS_REGION"))
	if err != nil {
		return nil, err
	}
	defaults, err := defaultLocation()
	if err != nil {
		return nil, err
	}
	return &configrule.Handler{
		Facts: configrule.SecurityAccountFacts(kmsClients(cfg)),
		Estate: &configrule.EstateLoader{
			S3: awsx.S3(cfg), SSM: ssm.NewFromConfig(cfg), Default: defaults, Recheck: estateRecheck,
		},
		Config: configrule.AssumeRoleClients(cfg, sts.NewFromConfig(cfg)),
		Now:    time.Now,
		Logger: logger,
	}, nil
}

// defaultLocation validates the environment's estate location like a rule
// parameter, so a typo fails at cold start with the same message.
func defaultLocation() (configrule.Params, error) {
	raw := map[string]string{}
	if v := os.Getenv("BYOK_ESTATE_S3_URI"); v != "" {
		raw["estateS3Uri"] = v
	}
	if v := os.Getenv("BYOK_ESTATE_SSM_PARAMETER"); v != "" {
		raw["estateSsmParameter"] = v
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return configrule.Params{}, err
	}
	return configrule.ParseParams(string(b))
}

// kmsClients keeps one KMS client per region for the container's life;
// keyfacts asks for them from concurrent workers.
func kmsClients(cfg aws.Config) func(region string) keyfacts.KMS {
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
