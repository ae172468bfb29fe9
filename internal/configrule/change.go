package configrule

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
)

// ReasonOutOfScope annotates resources that left the rule's scope or are of
// a type the rule does not evaluate.
const ReasonOutOfScope compliance.Reason = "OUT_OF_SCOPE"

// change evaluates the one resource of a change or oversized notification.
// OrderingTimestamp is the capture time of the item evaluated: for an
// oversized notification, the item fetched for the notification's capture
// time, so that a verdict never carries another item's time.
func (h *Handler) change(ctx context.Context, cfg ConfigAPI, ev Event, est *estate.Estate) error {
	item := *ev.Item
	if na, ok := notApplicable(ev, item); ok {
		return h.put(ctx, cfg, ev.ResultToken, []evaluation{na.at(item.CaptureTime)})
	}
	if ev.Type == MessageOversized {
		fetched, err := fetchItem(ctx, cfg, item.Ref(), item.CaptureTime)
		if err != nil {
			return err
		}
		item = fetched
		if na, ok := notApplicable(ev, item); ok {
			return h.put(ctx, cfg, ev.ResultToken, []evaluation{na.at(item.CaptureTime)})
		}
	}
	r, err := ResourceFromItem(item)
	if err != nil {
		return fmt.Errorf("read %s: %w", item.Ref(), err)
	}
	eval, err := h.facts(ctx, est, []compliance.Resource{r})
	var spent *FactsError
	if err != nil && !errors.As(err, &spent) {
		return err
	}
	res := eval.Evaluate(r, est, h.Now())
	h.logResult(ctx, res)
	if why, ok := unsendable(res); ok {
		u := &UndecidedError{}
		u.add(item.Ref(), why)
		return finish(spent, u)
	}
	return h.put(ctx, cfg, ev.ResultToken, []evaluation{fromResult(res).at(item.CaptureTime)})
}

// notApplicable: left scope, gone, or a type the rule does not evaluate.
func notApplicable(ev Event, it ConfigItem) (evaluation, bool) {
	ref := it.Ref()
	switch {
	case ev.LeftScope:
		return evaluation{ref: ref, verdict: compliance.NotApplicable, annotation: string(ReasonOutOfScope) + ": the resource left the rule's scope"}, true
	case it.Gone():
		return evaluation{ref: ref, verdict: compliance.NotApplicable, annotation: string(compliance.ReasonResourceDeleted) + ": configuration item status " + it.Status}, true
	case !inScope(ref.Type):
		return evaluation{ref: ref, verdict: compliance.NotApplicable, annotation: string(ReasonOutOfScope) + ": byok does not evaluate " + string(ref.Type)}, true
	}
	return evaluation{}, false
}

// ScopeTypes are the resource types the rule evaluates.
var ScopeTypes = []compliance.ResourceType{compliance.RDSInstance, compliance.RDSCluster, compliance.DynamoDBTable, compliance.S3Bucket}

func inScope(t compliance.ResourceType) bool {
	for _, s := range ScopeTypes {
		if s == t {
			return true
		}
	}
	return false
}

// fetchItem reads the item an oversized notification summarises (the
// notification carries no configuration): the newest item captured at or
// before the notification's capture time, as the AWS Config Developer
// Guide's example does (laterTime, limit 1). The newest item overall may
// be a later change, whose verdict must not carry this notification's time.
func fetchItem(ctx context.Context, cfg ConfigAPI, ref ResourceRef, captured time.Time) (ConfigItem, error) {
	out, err := cfg.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{
		ResourceType: types.ResourceType(ref.Type), ResourceId: aws.String(ref.ID), LaterTime: aws.Time(captured), Limit: 1,
	})
	if err != nil {
		return ConfigItem{}, fmt.Errorf("get config history of %s at %s: %w", ref, captured.Format(time.RFC3339Nano), err)
	}
	if len(out.ConfigurationItems) == 0 {
		return ConfigItem{}, fmt.Errorf("get config history of %s: %w", ref,
			fieldErr(ErrItem, "configurationItems", "the resource may not be recorded yet; Config will notify again", "no item captured at or before %s", captured.Format(time.RFC3339Nano)))
	}
	return ItemFromAPI(out.ConfigurationItems[0]), nil
}

// unsendable says why a result must not go to Config: INSUFFICIENT_DATA
// (rejected by AWS) and unreadable keys (a facts error, never a verdict).
func unsendable(res compliance.Result) (string, bool) {
	switch {
	case res.Reason == compliance.ReasonKeyUnreadable:
		return string(res.Reason) + ": " + res.Detail, true
	case res.Verdict == compliance.Compliant, res.Verdict == compliance.NonCompliant, res.Verdict == compliance.NotApplicable,
		res.Verdict == compliance.Exempted:
		return "", false
	}
	return res.Verdict.String() + " " + string(res.Reason), true
}

func (h *Handler) logResult(ctx context.Context, res compliance.Result) {
	h.logger().InfoContext(ctx, "evaluated", logResource, string(res.Resource.Type)+"/"+res.Resource.ID,
		logVerdict, res.Verdict.String(), logReason, string(res.Reason))
}
