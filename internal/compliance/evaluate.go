package compliance

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/byok-dev/byok/internal/estate"
)

// Evaluate decides one resource's verdict and reason by the rules of the
// package comment. It is pure: the same inputs give the same Result, and it
// reads no clock, so now must be passed in (its time zone does not matter).
// facts may be nil (nothing known about any key).
func Evaluate(r Resource, facts Facts, e *estate.Estate, now time.Time) Result {
	if facts == nil {
		facts = noFacts{}
	}
	if e == nil {
		e = &estate.Estate{}
	}
	ev := &evaluation{r: r, f: facts, e: e, now: now}
	res := exempt(ev.run(), r, e.Exceptions, now)
	res.Resource = r
	res.Detail = clip(res.Detail)
	return res
}

// evaluation carries one Evaluate call's inputs through the rules.
type evaluation struct {
	r    Resource
	f    Facts
	e    *estate.Estate
	now  time.Time
	svc  estate.Service
	envs []string
}

func (ev *evaluation) run() Result {
	if res, done := ev.scope(); done {
		return res
	}
	if res, done := ev.encryption(); done {
		return res
	}
	kf, keyARN, res, done := ev.resolve()
	if done {
		return res
	}
	return ev.checkKey(kf, keyARN)
}

// result builds a Result; the detail is formatted here so every rule reads
// as one line.
func result(v Verdict, reason Reason, keyARN, format string, args ...any) Result {
	return Result{Verdict: v, Reason: reason, KeyARN: keyARN, Detail: fmt.Sprintf(format, args...)}
}

// scope applies rules 1–3: deleted, unsupported type, outside the estate.
func (ev *evaluation) scope() (Result, bool) {
	r := ev.r
	if r.Deleted {
		return result(NotApplicable, ReasonResourceDeleted, "", "%s %s no longer exists", r.Type.ShortName(), r.Label()), true
	}
	svc, ok := ServiceOf(r.Type)
	if !ok {
		return result(NotApplicable, ReasonUnsupportedType, "",
			"resource type %q is not evaluated by byok (only RDS instances and clusters, DynamoDB tables, S3 buckets)", string(r.Type)), true
	}
	ev.svc = svc
	ev.envs = envsFor(ev.e, r.Account)
	if len(ev.envs) == 0 {
		return result(NotApplicable, ReasonOutsideEstate, "",
			"account %q is neither an estate environment nor the Security account %s", r.Account, ev.e.SecurityAccount), true
	}
	if !hasService(ev.e, svc) {
		return result(NotApplicable, ReasonServiceOutsideEstate, "",
			"the estate has no %s keys, so %s %s is not evaluated", svc, r.Type.ShortName(), r.Label()), true
	}
	return Result{}, false
}

func hasService(e *estate.Estate, svc estate.Service) bool {
	for _, s := range e.Services {
		if s == svc {
			return true
		}
	}
	return false
}

// encryption applies rule 4.
func (ev *evaluation) encryption() (Result, bool) {
	r := ev.r
	want := ev.wantAlias()
	switch r.Encryption {
	case EncryptionKMS:
		return Result{}, false
	case EncryptionNone:
		return result(NonCompliant, ReasonUnencrypted, "", "%s %s is not encrypted at rest; it must use %s", r.Type.ShortName(), r.Label(), want), true
	case EncryptionSSES3:
		return result(NonCompliant, ReasonNotKMS, "", "%s %s uses SSE-S3 (AES256), not a KMS key; it must use %s", r.Type.ShortName(), r.Label(), want), true
	case EncryptionAWSOwned:
		return result(NonCompliant, ReasonNotKMS, "", "%s %s uses an AWS owned key, not a KMS key in the estate; it must use %s", r.Type.ShortName(), r.Label(), want), true
	}
	return result(InsufficientData, ReasonEncryptionUnreadable, "", "the encryption settings of %s %s could not be read", r.Type.ShortName(), r.Label()), true
}

// wantAlias names the estate alias (or aliases) the resource must use.
func (ev *evaluation) wantAlias() string {
	if len(ev.envs) == 1 {
		return EstateAlias(ev.e, ev.envs[0], ev.svc)
	}
	return "an estate " + string(ev.svc) + " key"
}

// clip bounds a detail to 1–256 bytes (a Config annotation's limit, which
// then also holds in characters), cutting on a rune boundary.
func clip(s string) string {
	const max = 256
	const ellipsis = "…"
	if s == "" {
		return "no detail"
	}
	if len(s) <= max {
		return s
	}
	cut := max - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}
