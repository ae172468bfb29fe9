package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"

	"github.com/byok-dev/byok/internal/configrule"
)

// sentRecorder wraps the handler's Config clients and keeps what
// PutEvaluations accepted, so the command can print what was sent.
type sentRecorder struct {
	mu   sync.Mutex
	sent []string
}

type recordingConfig struct {
	configrule.ConfigAPI
	rec *sentRecorder
}

func (r recordingConfig) PutEvaluations(ctx context.Context, in *configservice.PutEvaluationsInput, optFns ...func(*configservice.Options)) (*configservice.PutEvaluationsOutput, error) {
	out, err := r.ConfigAPI.PutEvaluations(ctx, in, optFns...)
	if err != nil {
		return out, err
	}
	failed := map[string]bool{}
	for _, e := range out.FailedEvaluations {
		failed[aws.ToString(e.ComplianceResourceType)+"/"+aws.ToString(e.ComplianceResourceId)] = true
	}
	r.rec.mu.Lock()
	defer r.rec.mu.Unlock()
	for _, e := range in.Evaluations {
		ref := aws.ToString(e.ComplianceResourceType) + "/" + aws.ToString(e.ComplianceResourceId)
		if !failed[ref] {
			r.rec.sent = append(r.rec.sent, fmt.Sprintf("%-14s %s  %s", e.ComplianceType, ref, aws.ToString(e.Annotation)))
		}
	}
	return out, nil
}

func (r *sentRecorder) wrap(clients configrule.ConfigClients) configrule.ConfigClients {
	return func(ctx context.Context, role string) (configrule.ConfigAPI, error) {
		c, err := clients(ctx, role)
		if err != nil {
			return nil, err
		}
		return recordingConfig{ConfigAPI: c, rec: r}, nil
	}
}

func (r *sentRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.sent
	r.sent = nil
	return out
}

// invokeAll runs the handler on each event, printing what it sent or why
// it failed. Failures (Config would retry them) make the command fail
// after every event ran.
func invokeAll(ctx context.Context, h *configrule.Handler, evs []events.ConfigEvent, stdout io.Writer) error {
	rec := &sentRecorder{}
	h.Config = rec.wrap(h.Config)
	failed, sent := 0, 0
	for i, ev := range evs {
		fmt.Fprintf(stdout, "event %d/%d: %s\n", i+1, len(evs), describeEvent(ev))
		err := h.Handle(ctx, ev)
		lines := rec.take()
		sent += len(lines)
		for _, l := range lines {
			fmt.Fprintln(stdout, "  sent", l)
		}
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "  invocation failed (Config would retry): %v\n", err)
		}
	}
	fmt.Fprintf(stdout, "%d event(s), %d evaluation(s) sent, %d invocation(s) failed\n", len(evs), sent, failed)
	if failed > 0 {
		return &exitError{Code: 1, Err: fmt.Errorf("%d of %d invocation(s) failed", failed, len(evs))}
	}
	if len(evs) == 0 {
		return &exitError{Code: 1, Err: errors.New("the sandbox returned no events: nothing is recorded for that account, region and resource")}
	}
	return nil
}

func describeEvent(ev events.ConfigEvent) string {
	d, err := configrule.DecodeEvent(ev)
	switch {
	case err != nil:
		return "undecodable event: " + err.Error()
	case d.Item == nil:
		return d.Type.String() + " for account " + d.Account
	}
	return d.Type.String() + " " + d.Item.Ref().String() + " (" + d.Item.Status + ")"
}
