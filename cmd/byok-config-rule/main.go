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

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/configrule"
)

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
	return configrule.NewHandler(cfg, defaults, logger), nil
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
