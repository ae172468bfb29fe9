package configrule

import (
	"time"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
)

// Bind returns the Evaluator that runs compliance.Evaluate, the evaluator
// `byok scan` uses, over facts.
func Bind(facts compliance.Facts) Evaluator { return bound{facts} }

type bound struct{ facts compliance.Facts }

func (b bound) Evaluate(r compliance.Resource, e *estate.Estate, now time.Time) compliance.Result {
	return compliance.Evaluate(r, b.facts, e, now)
}
