package configrule

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
)

// ConfigAPI is the part of the AWS Config API the rule calls in the member
// account (through the event's executionRoleArn).
type ConfigAPI interface {
	PutEvaluations(ctx context.Context, in *configservice.PutEvaluationsInput, optFns ...func(*configservice.Options)) (*configservice.PutEvaluationsOutput, error)
	GetResourceConfigHistory(ctx context.Context, in *configservice.GetResourceConfigHistoryInput, optFns ...func(*configservice.Options)) (*configservice.GetResourceConfigHistoryOutput, error)
	ListDiscoveredResources(ctx context.Context, in *configservice.ListDiscoveredResourcesInput, optFns ...func(*configservice.Options)) (*configservice.ListDiscoveredResourcesOutput, error)
	BatchGetResourceConfig(ctx context.Context, in *configservice.BatchGetResourceConfigInput, optFns ...func(*configservice.Options)) (*configservice.BatchGetResourceConfigOutput, error)
	GetComplianceDetailsByConfigRule(ctx context.Context, in *configservice.GetComplianceDetailsByConfigRuleInput, optFns ...func(*configservice.Options)) (*configservice.GetComplianceDetailsByConfigRuleOutput, error)
}

// ConfigClients returns a Config client acting in the member account, by
// assuming executionRoleARN ("" for the function's own credentials).
type ConfigClients func(ctx context.Context, executionRoleARN string) (ConfigAPI, error)

// Evaluator is the shared evaluator bound to a set of key facts.
type Evaluator interface {
	Evaluate(r compliance.Resource, e *estate.Estate, now time.Time) compliance.Result
}

// FactsSource reads, with the Security account's own credentials, the key
// facts the given resources need and returns the evaluator bound to them.
// Any error (KMS unreachable, throttled) fails the invocation.
type FactsSource func(ctx context.Context, e *estate.Estate, rs []compliance.Resource) (Evaluator, error)

// EstateSource returns the estate named by the rule parameters (or the
// deployment's default), cached across invocations.
type EstateSource interface {
	Estate(ctx context.Context, p Params) (*estate.Estate, error)
}

// Handler is the Lambda handler. Every field is required but Logger,
// Budget and PutReserve.
type Handler struct {
	Facts  FactsSource
	Estate EstateSource
	Config ConfigClients
	Now    func() time.Time
	Logger *slog.Logger
	// Budget bounds the time spent reading key facts (DefaultBudget when
	// zero); PutReserve is kept from the invocation's deadline for
	// PutEvaluations whatever the budget (DefaultPutReserve when zero).
	Budget     time.Duration
	PutReserve time.Duration
}

// Log attribute keys.
const (
	logRule     = "rule"
	logAccount  = "account"
	logMessage  = "message_type"
	logResource = "resource"
	logVerdict  = "verdict"
	logReason   = "reason"
	logCount    = "count"
)

// Handle processes one Config rule invocation. It returns an error, so that
// Config records the failure and retries, whenever it could not send a
// verdict for a resource it was asked about.
func (h *Handler) Handle(ctx context.Context, raw events.ConfigEvent) error {
	ev, err := DecodeEvent(raw)
	if err != nil {
		return fmt.Errorf("decode event: %w", err)
	}
	est, err := h.Estate.Estate(ctx, ev.Params)
	if err != nil {
		return fmt.Errorf("load estate: %w", err)
	}
	est = withParams(est, ev.Params)
	role, err := executionRole(ev, est.SecurityAccount)
	if err != nil {
		return err
	}
	cfg, err := h.Config(ctx, role)
	if err != nil {
		return fmt.Errorf("config client for %s: %w", role, err)
	}
	h.logger().InfoContext(ctx, "invocation", logRule, ev.RuleName, logAccount, ev.Account, logMessage, ev.Type.String())
	if ev.Type == MessageScheduled {
		return h.periodic(ctx, cfg, ev, est)
	}
	return h.change(ctx, cfg, ev, est)
}

// withParams applies maxKeyAgeDays / expiryWarningDays over the estate
// policy, without touching the cached estate.
func withParams(e *estate.Estate, p Params) *estate.Estate {
	if p.MaxKeyAge == 0 && p.ExpiryWarning == 0 {
		return e
	}
	c := *e
	if p.MaxKeyAge != 0 {
		c.Policy.MaxMaterialAge = p.MaxKeyAge
	}
	if p.ExpiryWarning != 0 {
		c.Policy.ExpiryWarning = p.ExpiryWarning
	}
	return &c
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}
