package compliance

import (
	"slices"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/estate"
)

// exceptionFor returns an estate edit adding one exception that holds
// through expires (YYYY-MM-DD, UTC).
func exceptionFor(pattern, finding, expires string) func(*estate.Estate) {
	day, err := time.Parse(time.DateOnly, expires)
	if err != nil {
		panic(err)
	}
	return func(e *estate.Estate) {
		e.Exceptions = append(e.Exceptions, estate.Exception{Pattern: pattern, Reason: "vendor appliance", Approver: "jane",
			Expires: day, Finding: finding, Line: 12})
	}
}

func unencryptedBucket() Resource {
	r := bucket(prodAcct, primary, "")
	r.Encryption = EncryptionNone
	return r
}

func sseS3Bucket() Resource {
	r := bucket(prodAcct, primary, "")
	r.Encryption = EncryptionSSES3
	return r
}

// testNow is 2026-03-01T12:00Z; the boundary cases move now around an
// expiry of 2026-03-01 (inclusive, UTC).
var exemptionCases = map[string]evalCase{
	"live exception exempts": {res: unencryptedBucket(), estate: exceptionFor("arn:aws:s3:::b-*", "", "2026-03-31"),
		verdict: Exempted, reason: ReasonUnencrypted, detailHas: "exempted until 2026-03-31 (approved by jane"},
	"expiry day start": {res: unencryptedBucket(), estate: exceptionFor("arn:aws:s3:::b-*", "", "2026-03-01"),
		now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), verdict: Exempted, reason: ReasonUnencrypted},
	"expiry day last second": {res: unencryptedBucket(), estate: exceptionFor("arn:aws:s3:::b-*", "", "2026-03-01"),
		now: time.Date(2026, 3, 1, 23, 59, 59, 0, time.UTC), verdict: Exempted, reason: ReasonUnencrypted},
	"day after expiry": {res: unencryptedBucket(), estate: exceptionFor("arn:aws:s3:::b-*", "", "2026-03-01"),
		now: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), verdict: NonCompliant, reason: ReasonUnencrypted, detailHas: "expired on 2026-03-01"},
	"day after, east of UTC still exempt": {res: unencryptedBucket(), estate: exceptionFor("arn:aws:s3:::b-*", "", "2026-03-01"),
		now: time.Date(2026, 3, 2, 0, 30, 0, 0, time.FixedZone("CET", 3600)), verdict: Exempted, reason: ReasonUnencrypted},
	"other resource": {res: unencryptedBucket(), estate: exceptionFor("arn:aws:s3:::other-*", "", "2026-03-31"),
		verdict: NonCompliant, reason: ReasonUnencrypted},
	"finding code matches": {res: unencryptedBucket(), estate: exceptionFor("arn:aws:s3:::b-*", "UNENCRYPTED", "2026-03-31"),
		verdict: Exempted, reason: ReasonUnencrypted},
	"finding code differs": {res: sseS3Bucket(), estate: exceptionFor("arn:aws:s3:::b-*", "UNENCRYPTED", "2026-03-31"),
		verdict: NonCompliant, reason: ReasonNotKMS},
	"compliant stays compliant": {res: bucket(prodAcct, primary, prodS3ARN), estate: exceptionFor("arn:aws:s3:::b-*", "", "2026-03-31"),
		verdict: Compliant, reason: ReasonCompliant},
	"missing data stays": {res: func() Resource { r := bucket(prodAcct, primary, ""); r.Encryption = EncryptionUnknown; return r }(),
		estate: exceptionFor("arn:aws:s3:::b-*", "", "2026-03-31"), verdict: InsufficientData, reason: ReasonEncryptionUnreadable},
	"expired first, live second": {res: unencryptedBucket(), estate: func(e *estate.Estate) {
		exceptionFor("arn:aws:s3:::b-*", "", "2026-01-01")(e)
		exceptionFor("arn:aws:s3:::b-"+prodAcct, "", "2026-04-30")(e)
	}, verdict: Exempted, reason: ReasonUnencrypted, detailHas: "2026-04-30"},
	"rds by region wildcard": {res: func() Resource { r := db(prodAcct, primary, ""); r.Encryption = EncryptionNone; return r }(),
		estate: exceptionFor("arn:aws:rds:*:"+prodAcct+":db:ord*", "", "2026-03-31"), verdict: Exempted, reason: ReasonUnencrypted},
}

func TestEvaluateExceptions(t *testing.T) { runEvalCases(t, exemptionCases) }

func TestExemptionCarriesException(t *testing.T) {
	e := testEstate()
	exceptionFor("arn:aws:s3:::b-*", "", "2026-03-31")(e)
	got := Evaluate(unencryptedBucket(), testIndex(t), e, testNow)
	if got.Exception == nil || got.Exception.Approver != "jane" || got.Exception.ExpiresDate() != "2026-03-31" || got.Exception.Reason != "vendor appliance" {
		t.Fatalf("exception %+v", got.Exception)
	}
	got = Evaluate(unencryptedBucket(), testIndex(t), e, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	if got.Verdict != NonCompliant || got.Exception == nil {
		t.Fatalf("after expiry: %v with exception %+v", got.Verdict, got.Exception)
	}
}

// estate.FindingCodes (what an exception's finding: accepts) are exactly
// the reasons Evaluate can give with NON_COMPLIANT.
func TestFindingCodesAreNonCompliantReasons(t *testing.T) {
	notNC := map[Reason]bool{ReasonResourceDeleted: true, ReasonUnsupportedType: true, ReasonOutsideEstate: true,
		ReasonServiceOutsideEstate: true, ReasonEncryptionUnreadable: true, ReasonKeyUnreadable: true, ReasonCompliant: true}
	var want []string
	for _, r := range Reasons() {
		if !notNC[r] {
			want = append(want, string(r))
		}
	}
	got := slices.Clone(estate.FindingCodes)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("estate.FindingCodes %q, want the NON_COMPLIANT reasons %q", got, want)
	}
}
