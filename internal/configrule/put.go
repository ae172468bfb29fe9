package configrule

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/byok-dev/byok/internal/awslimits"
	"github.com/byok-dev/byok/internal/compliance"
)

// PutEvaluations limits (AWS Config API reference), defined once in
// package awslimits for the rule and the sandbox.
const (
	MaxBatch      = awslimits.MaxEvaluations
	MaxAnnotation = awslimits.MaxAnnotation
)

// evaluation is one verdict about to be sent.
type evaluation struct {
	ref        ResourceRef
	verdict    compliance.Verdict
	annotation string
	when       time.Time
}

func (e evaluation) at(t time.Time) evaluation { e.when = t; return e }

func fromResult(res compliance.Result) evaluation {
	a := string(res.Reason)
	if res.Verdict == compliance.Exempted {
		a = "EXEMPTED " + a
	}
	if res.Detail != "" {
		a += ": " + res.Detail
	}
	return evaluation{
		ref:     ResourceRef{Type: res.Resource.Type, ID: res.Resource.ID},
		verdict: res.Verdict, annotation: a,
	}
}

var complianceTypes = map[compliance.Verdict]types.ComplianceType{
	compliance.Compliant:     types.ComplianceTypeCompliant,
	compliance.NonCompliant:  types.ComplianceTypeNonCompliant,
	compliance.NotApplicable: types.ComplianceTypeNotApplicable,
	// AWS Config has no exempted compliance type; an exempted resource is
	// NOT_APPLICABLE with an annotation "EXEMPTED <reason>: exempted until
	// <date> (approved by <approver>: <reason>)…", never COMPLIANT.
	compliance.Exempted: types.ComplianceTypeNotApplicable,
}

// Annotation makes s a valid annotation: 1 to 256 characters (Unicode code
// points, as AWS counts them), cut on a character boundary.
func Annotation(s string, fallback string) string { return awslimits.Annotation(s, fallback) }

func (e evaluation) sdk() types.Evaluation {
	return types.Evaluation{
		ComplianceResourceType: aws.String(string(e.ref.Type)),
		ComplianceResourceId:   aws.String(e.ref.ID),
		ComplianceType:         complianceTypes[e.verdict],
		Annotation:             aws.String(Annotation(e.annotation, e.verdict.String())),
		OrderingTimestamp:      aws.Time(e.when),
	}
}

// put sends evaluations in batches of at most MaxBatch. Evaluations AWS
// lists in FailedEvaluations are sent once more; those failing again are
// returned in a *FailedEvaluationsError.
func (h *Handler) put(ctx context.Context, cfg ConfigAPI, token string, evals []evaluation) error {
	var failed []types.Evaluation
	for start := 0; start < len(evals); start += MaxBatch {
		end := min(start+MaxBatch, len(evals))
		batch := make([]types.Evaluation, 0, end-start)
		for _, e := range evals[start:end] {
			if _, ok := complianceTypes[e.verdict]; !ok {
				return fmt.Errorf("put evaluations: %s: %w", e.ref, ErrUndecided)
			}
			batch = append(batch, e.sdk())
		}
		f, err := putBatch(ctx, cfg, token, batch)
		if err != nil {
			return err
		}
		failed = append(failed, f...)
	}
	if len(failed) > 0 {
		return h.retryFailed(ctx, cfg, token, failed)
	}
	h.logger().InfoContext(ctx, "evaluations sent", logCount, len(evals))
	return nil
}

// TestModeToken is the result token of an event Config never sent: a
// test invocation (AWS's sample rules use it). Evaluations for it go out
// with PutEvaluations' TestMode, which "doesn't require a valid value for
// the ResultToken parameter": AWS validates them and records nothing.
const TestModeToken = "TESTMODE"

func putBatch(ctx context.Context, cfg ConfigAPI, token string, batch []types.Evaluation) ([]types.Evaluation, error) {
	out, err := cfg.PutEvaluations(ctx, &configservice.PutEvaluationsInput{ResultToken: aws.String(token), Evaluations: batch,
		TestMode: token == TestModeToken})
	if err != nil {
		return nil, fmt.Errorf("put evaluations: %w", err)
	}
	return out.FailedEvaluations, nil
}

func (h *Handler) retryFailed(ctx context.Context, cfg ConfigAPI, token string, failed []types.Evaluation) error {
	var still []types.Evaluation
	for start := 0; start < len(failed); start += MaxBatch {
		f, err := putBatch(ctx, cfg, token, failed[start:min(start+MaxBatch, len(failed))])
		if err != nil {
			return fmt.Errorf("retry failed evaluations: %w", err)
		}
		still = append(still, f...)
	}
	if len(still) == 0 {
		return nil
	}
	fe := &FailedEvaluationsError{}
	for _, e := range still {
		fe.Failed = append(fe.Failed, ResourceRef{Type: compliance.ResourceType(deref(e.ComplianceResourceType)), ID: deref(e.ComplianceResourceId)})
	}
	return fe
}
