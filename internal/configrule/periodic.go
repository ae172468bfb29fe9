package configrule

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
)

// periodic evaluates every in-scope resource the member account's Config
// has discovered, and marks NOT_APPLICABLE those it evaluated before that
// are no longer discovered (Config does not do this for periodic rules).
// OrderingTimestamp is the notification time. Resources without a sendable
// verdict are skipped and returned in an *UndecidedError after the rest is sent.
func (h *Handler) periodic(ctx context.Context, cfg ConfigAPI, ev Event, est *estate.Estate) error {
	items, undecided, err := discover(ctx, cfg)
	if err != nil {
		return err
	}
	seen := make(map[ResourceRef]bool, len(items))
	var rs []compliance.Resource
	for _, it := range items {
		seen[it.Ref()] = true
		r, err := ResourceFromItem(it)
		if err != nil {
			undecided.add(it.Ref(), err.Error())
			continue
		}
		rs = append(rs, r)
	}
	evals, spent, err := h.evaluateAll(ctx, est, rs, undecided)
	if err != nil {
		return err
	}
	gone, err := vanished(ctx, cfg, ev.RuleName, seen)
	if err != nil {
		return err
	}
	evals = append(evals, gone...)
	for i := range evals {
		evals[i].when = ev.NotificationTime
	}
	err = h.put(ctx, cfg, ev.ResultToken, evals)
	if spent != nil || len(undecided.Resources) > 0 {
		return errors.Join(err, finish(spent, undecided))
	}
	return err
}

// evaluateAll evaluates rs; the *FactsError is set when key facts could
// not be read and only what needs none was decided.
func (h *Handler) evaluateAll(ctx context.Context, est *estate.Estate, rs []compliance.Resource, undecided *UndecidedError) ([]evaluation, *FactsError, error) {
	if len(rs) == 0 {
		return nil, nil, nil
	}
	eval, err := h.facts(ctx, est, rs)
	var spent *FactsError
	if err != nil && !errors.As(err, &spent) {
		return nil, nil, err
	}
	now := h.Now()
	evals := make([]evaluation, 0, len(rs))
	for _, r := range rs {
		res := eval.Evaluate(r, est, now)
		h.logResult(ctx, res)
		if why, ok := unsendable(res); ok {
			undecided.add(ResourceRef{Type: r.Type, ID: r.ID}, why)
			continue
		}
		evals = append(evals, fromResult(res))
	}
	return evals, spent, nil
}

// discover lists the in-scope resources Config recorded in the member
// account and region, and reads their items in batches of 100.
func discover(ctx context.Context, cfg ConfigAPI) ([]ConfigItem, *UndecidedError, error) {
	undecided := &UndecidedError{}
	var items []ConfigItem
	for _, t := range ScopeTypes {
		keys, err := listDiscovered(ctx, cfg, t)
		if err != nil {
			return nil, nil, err
		}
		for start := 0; start < len(keys); start += MaxBatch {
			got, err := batchGet(ctx, cfg, keys[start:min(start+MaxBatch, len(keys))], undecided)
			if err != nil {
				return nil, nil, err
			}
			items = append(items, got...)
		}
	}
	return items, undecided, nil
}

func listDiscovered(ctx context.Context, cfg ConfigAPI, t compliance.ResourceType) ([]types.ResourceKey, error) {
	var keys []types.ResourceKey
	in := &configservice.ListDiscoveredResourcesInput{ResourceType: types.ResourceType(t), Limit: 100}
	for {
		out, err := cfg.ListDiscoveredResources(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list discovered %s: %w", t, err)
		}
		for _, id := range out.ResourceIdentifiers {
			keys = append(keys, types.ResourceKey{ResourceType: id.ResourceType, ResourceId: id.ResourceId})
		}
		if aws.ToString(out.NextToken) == "" {
			return keys, nil
		}
		in.NextToken = out.NextToken
	}
}

// batchGet reads up to 100 items; keys left unprocessed are asked once
// more, then reported as undecided.
func batchGet(ctx context.Context, cfg ConfigAPI, keys []types.ResourceKey, undecided *UndecidedError) ([]ConfigItem, error) {
	var items []ConfigItem
	for attempt := 0; attempt < 2 && len(keys) > 0; attempt++ {
		out, err := cfg.BatchGetResourceConfig(ctx, &configservice.BatchGetResourceConfigInput{ResourceKeys: keys})
		if err != nil {
			return nil, fmt.Errorf("batch get resource config: %w", err)
		}
		for _, b := range out.BaseConfigurationItems {
			items = append(items, ItemFromBase(b))
		}
		keys = out.UnprocessedResourceKeys
	}
	for _, k := range keys {
		undecided.add(ResourceRef{Type: compliance.ResourceType(k.ResourceType), ID: aws.ToString(k.ResourceId)}, "BatchGetResourceConfig left it unprocessed twice")
	}
	return items, nil
}

// vanished returns NOT_APPLICABLE evaluations for resources the rule
// evaluated before (COMPLIANT or NON_COMPLIANT) that Config no longer lists.
func vanished(ctx context.Context, cfg ConfigAPI, rule string, seen map[ResourceRef]bool) ([]evaluation, error) {
	in := &configservice.GetComplianceDetailsByConfigRuleInput{
		ConfigRuleName:  aws.String(rule),
		ComplianceTypes: []types.ComplianceType{types.ComplianceTypeCompliant, types.ComplianceTypeNonCompliant},
		Limit:           100,
	}
	var out []evaluation
	for {
		page, err := cfg.GetComplianceDetailsByConfigRule(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("get compliance details of %s: %w", rule, err)
		}
		for _, r := range page.EvaluationResults {
			if r.EvaluationResultIdentifier == nil || r.EvaluationResultIdentifier.EvaluationResultQualifier == nil {
				continue
			}
			q := r.EvaluationResultIdentifier.EvaluationResultQualifier
			ref := ResourceRef{Type: compliance.ResourceType(aws.ToString(q.ResourceType)), ID: aws.ToString(q.ResourceId)}
			if !seen[ref] && inScope(ref.Type) {
				seen[ref] = true
				out = append(out, evaluation{ref: ref, verdict: compliance.NotApplicable,
					annotation: string(compliance.ReasonResourceDeleted) + ": no longer discovered by AWS Config"})
			}
		}
		if aws.ToString(page.NextToken) == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}
