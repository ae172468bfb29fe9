package configrule

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/configservice"
)

// sink is a no-network ConfigAPI for the benchmark only: it counts the
// evaluations and refuses every other call, so the benchmark measures the
// handler and not AWS round trips. Behaviour tests use the sandbox.
type sink struct {
	ConfigAPI
	n int
}

func (s *sink) PutEvaluations(_ context.Context, in *configservice.PutEvaluationsInput, _ ...func(*configservice.Options)) (*configservice.PutEvaluationsOutput, error) {
	s.n += len(in.Evaluations)
	return &configservice.PutEvaluationsOutput{}, nil
}

// BenchmarkHandleChangeEvent: decode the Lambda event, read the item,
// evaluate against an in-memory index and build the PutEvaluations call.
func BenchmarkHandleChangeEvent(b *testing.B) {
	s := &sink{}
	facts := testIndex(b, 100*day)
	h := &Handler{Facts: bindFacts(facts), Estate: fixedEstate{testEstate(b)},
		Config: func(context.Context, string) (ConfigAPI, error) { return s, nil },
		Now:    func() time.Time { return testNow }}
	for _, name := range []string{"change-rds-instance.json", "change-s3-kms-string.json", "change-dynamodb-kms.json"} {
		ev := loadEvent(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := h.Handle(context.Background(), ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	if s.n == 0 {
		b.Fatal(errors.New("nothing sent"))
	}
}
