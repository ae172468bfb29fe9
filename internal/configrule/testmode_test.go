package configrule

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/configservice"
	ctypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/smithy-go/middleware"
)

// The result token "TESTMODE" (an event Config never sent, as AWS's
// sample rules treat it) makes the handler call PutEvaluations with
// TestMode: the sandbox, like AWS, validates and records nothing. A real
// token is sent without TestMode and the result is kept; any other token
// Config did not issue is sent without TestMode and refused
// (InvalidResultTokenException), as AWS refuses it.
func TestResultTokenTestMode(t *testing.T) {
	tests := map[string]struct {
		token        func(r *sbRig) string
		wantTestMode bool
		wantStored   int
		wantErr      bool
	}{
		"TESTMODE":            {func(*sbRig) string { return TestModeToken }, true, 0, false},
		"issued token":        {func(r *sbRig) string { return r.sandboxEvents("scheduled", "", "")[0].ResultToken }, false, 1, false},
		"testmode lower case": {func(*sbRig) string { return "testmode" }, false, 0, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := newSandboxRig(t, testIndex(t, 100*day))
			var sent []*configservice.PutEvaluationsInput
			r.h.Config = func(context.Context, string) (ConfigAPI, error) {
				return configservice.NewFromConfig(r.sb.Config(context.Background(), devAcct), capturePut(&sent)), nil
			}
			ev := loadEvent(t, "change-s3-kms-string.json")
			ev.ResultToken = tc.token(r)
			err := r.h.Handle(context.Background(), ev)
			var invalid *ctypes.InvalidResultTokenException
			if (err != nil) != tc.wantErr || (tc.wantErr && !errors.As(err, &invalid)) {
				t.Fatalf("Handle: %v, want error %v (InvalidResultTokenException)", err, tc.wantErr)
			}
			if len(sent) != 1 || sent[0].TestMode != tc.wantTestMode {
				t.Fatalf("PutEvaluations calls %d, TestMode %v; want 1 call with TestMode %v", len(sent), sent, tc.wantTestMode)
			}
			if got := len(r.Evaluations(ruleName)); got != tc.wantStored {
				t.Fatalf("stored evaluations = %d, want %d", got, tc.wantStored)
			}
		})
	}
}

// capturePut records every PutEvaluations request the client sends.
func capturePut(sent *[]*configservice.PutEvaluationsInput) func(*configservice.Options) {
	return func(o *configservice.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("capture-put", func(ctx context.Context, in middleware.InitializeInput,
				next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if p, ok := in.Parameters.(*configservice.PutEvaluationsInput); ok {
					*sent = append(*sent, p)
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
		})
	}
}
