package compliance

import (
	"fmt"
	"time"

	"github.com/byok-dev/byok/internal/estate"
)

// exempt applies the estate's exceptions to a result (the last rule): a
// NON_COMPLIANT resource whose ARN and finding code match an exception
// that is live at now becomes EXEMPTED, carrying the exception; one that
// matches only expired exceptions stays NON_COMPLIANT, carrying the
// expired exception so reports can say why it is back. Other verdicts are
// left alone: an exception never turns missing data or a pass into
// anything else. The first live match in file order wins.
func exempt(res Result, r Resource, xs []estate.Exception, now time.Time) Result {
	if res.Verdict != NonCompliant || len(xs) == 0 || r.ARN == "" {
		return res
	}
	var expired *estate.Exception
	for i := range xs {
		if !xs[i].Applies(r.ARN, string(res.Reason)) {
			continue
		}
		x := xs[i] // copied only on a match: the result keeps its own
		if x.Live(now) {
			res.Verdict = Exempted
			res.Exception = &x
			res.Detail = fmt.Sprintf("exempted until %s (approved by %s: %s); finding: %s",
				x.ExpiresDate(), x.Approver, x.Reason, res.Detail)
			return res
		}
		if expired == nil {
			expired = &x
		}
	}
	if expired != nil {
		res.Exception = expired
		res.Detail = fmt.Sprintf("%s; its exception (approved by %s) expired on %s", res.Detail, expired.Approver, expired.ExpiresDate())
	}
	return res
}
