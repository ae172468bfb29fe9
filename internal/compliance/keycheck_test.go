package compliance

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

var (
	mrkPrimaryARN = secARN(primary, idProdDDB)
	mrkReplicaARN = secARN(replica, idProdDDB)
)

// estateKeyCases cover rule 9 and multi-Region keys.
var estateKeyCases = map[string]evalCase{
	"superseded after alias switch": {res: db(prodAcct, primary, secARN(primary, idOldRDS)),
		verdict: NonCompliant, reason: ReasonKeySuperseded, detailHas: "key " + idProdRDS},
	"estate key of another service": {res: bucket(prodAcct, primary, prodRDSARN), verdict: NonCompliant, reason: ReasonWrongEstateKey, detailHas: "alias/prod/rds"},
	"estate key of another env":     {res: bucket(prodAcct, primary, devS3ARN), verdict: NonCompliant, reason: ReasonWrongEstateKey, detailHas: "alias/dev/s3"},
	"security key outside estate":   {res: db(devAcct, primary, secARN(primary, idStray)), verdict: NonCompliant, reason: ReasonKeyOutsideEstate},
	"superseded key of another env": {res: db(devAcct, primary, secARN(primary, idOldRDS)), verdict: NonCompliant, reason: ReasonKeyOutsideEstate},
	"estate alias missing in region": {res: bucket(prodAcct, replica, secARN(primary, idStray)),
		verdict: NonCompliant, reason: ReasonKeyOutsideEstate, detailHas: "does not exist"},
	"security resource may use any env key": {res: db(secAcct, primary, secARN(primary, idDevRDS)), verdict: Compliant, reason: ReasonCompliant},
	"security resource on stray key":        {res: db(secAcct, primary, secARN(primary, idStray)), verdict: NonCompliant, reason: ReasonKeyOutsideEstate},
	"multi-region primary":                  {res: table(prodAcct, primary, mrkPrimaryARN), verdict: Compliant, reason: ReasonCompliant, keyARN: mrkPrimaryARN},
	"multi-region replica in listed region": {res: table(prodAcct, replica, mrkReplicaARN), verdict: Compliant, reason: ReasonCompliant, keyARN: mrkReplicaARN},
	"multi-region replica by bare id on security resource": {res: table(secAcct, replica, idProdDDB),
		verdict: Compliant, reason: ReasonCompliant, keyARN: mrkReplicaARN},
	"multi-region replica overdue": {res: table(prodAcct, replica, mrkReplicaARN),
		facts:   withKey(replica, idProdDDB, currentSince(testNow.Add(-400*day))),
		verdict: NonCompliant, reason: ReasonMaterialOverdue},
	"multi-region replica in unlisted region": {res: table(prodAcct, "eu-north-1", secARN("eu-north-1", idProdDDB)),
		facts:   func(t testing.TB, x *Index) { must(t, x.Add(healthy("eu-north-1", idProdDDB))) },
		verdict: NonCompliant, reason: ReasonKeyOutsideEstate},
	"multi-region replica not listed for that env": {res: table(devAcct, replica, mrkReplicaARN),
		verdict: NonCompliant, reason: ReasonWrongEstateKey},
	"replica region alias wins over replica": {res: table(prodAcct, replica, secARN(replica, idStray)),
		facts: func(t testing.TB, x *Index) {
			must(t, x.Add(healthy(replica, idStray)))
			must(t, x.AddAlias(secAcct, replica, "alias/prod/dynamodb", secARN(replica, idStray)))
		},
		verdict: Compliant, reason: ReasonCompliant},
}

// stateCases cover rule 10.
var stateCases = map[string]evalCase{
	"disabled":                 {res: db(devAcct, primary, secARN(primary, idDevRDS)), facts: withKey(primary, idDevRDS, setState("Disabled")), verdict: NonCompliant, reason: ReasonKeyDisabled},
	"unavailable":              {res: db(devAcct, primary, secARN(primary, idDevRDS)), facts: withKey(primary, idDevRDS, setState("Unavailable")), verdict: NonCompliant, reason: ReasonKeyDisabled, detailHas: "Unavailable"},
	"pending deletion":         {res: table(devAcct, primary, secARN(primary, idDevDDB)), facts: withKey(primary, idDevDDB, setState("PendingDeletion")), verdict: NonCompliant, reason: ReasonKeyPendingDeletion},
	"pending replica deletion": {res: table(prodAcct, primary, mrkPrimaryARN), facts: withKey(primary, idProdDDB, setState("PendingReplicaDeletion")), verdict: NonCompliant, reason: ReasonKeyPendingDeletion},
	"pending import":           {res: bucket(devAcct, primary, devS3ARN), facts: withKey(primary, idDevS3, setState("PendingImport")), verdict: NonCompliant, reason: ReasonKeyPendingImport},
	"pending import names the deleted material": {res: bucket(devAcct, primary, devS3ARN), facts: withKey(primary, idDevS3, func(f *KeyFacts) {
		f.State = "PendingImport"
		f.Materials = []Material{{ID: "m-current", State: "CURRENT", ImportState: "IMPORTED"},
			{ID: "m-deleted", State: "NON_CURRENT", ImportState: "PENDING_IMPORT"}}
	}), verdict: NonCompliant, reason: ReasonKeyPendingImport, detailHas: "material m-deleted expired or was deleted"},
	"creating":           {res: bucket(devAcct, primary, devS3ARN), facts: withKey(primary, idDevS3, setState("Creating")), verdict: InsufficientData, reason: ReasonKeyUnreadable},
	"unknown state":      {res: bucket(devAcct, primary, devS3ARN), facts: withKey(primary, idDevS3, setState("")), verdict: InsufficientData, reason: ReasonKeyUnreadable},
	"updating is usable": {res: bucket(devAcct, primary, devS3ARN), facts: withKey(primary, idDevS3, setState("Updating")), verdict: Compliant, reason: ReasonCompliant},
	"disabled beats overdue": {res: bucket(devAcct, primary, devS3ARN),
		facts: func(t testing.TB, x *Index) {
			withKey(primary, idDevS3, setState("Disabled"))(t, x)
			withKey(primary, idDevS3, currentSince(testNow.Add(-900*day)))(t, x)
		},
		verdict: NonCompliant, reason: ReasonKeyDisabled},
}

var (
	tokyo, _ = time.LoadLocation("Asia/Tokyo")
	la, _    = time.LoadLocation("America/Los_Angeles")
)

// materialCases cover rules 11–13, boundaries and time zones.
var materialCases = map[string]evalCase{
	"overdue": {res: db(prodAcct, primary, prodRDSARN), facts: withKey(primary, idProdRDS, currentSince(testNow.Add(-412*day))),
		verdict: NonCompliant, reason: ReasonMaterialOverdue, detailHas: "412 days old"},
	"exactly max age is compliant": {res: db(prodAcct, primary, prodRDSARN), facts: withKey(primary, idProdRDS, currentSince(testNow.Add(-365*day))),
		verdict: Compliant, reason: ReasonCompliant},
	"one nanosecond over max age": {res: db(prodAcct, primary, prodRDSARN), facts: withKey(primary, idProdRDS, currentSince(testNow.Add(-365*day-1))),
		verdict: NonCompliant, reason: ReasonMaterialOverdue},
	"max age boundary, now in Tokyo": {res: db(prodAcct, primary, prodRDSARN), facts: withKey(primary, idProdRDS, currentSince(testNow.Add(-365*day))),
		now: testNow.In(tokyo), verdict: Compliant, reason: ReasonCompliant},
	"past max age, now in Los Angeles": {res: db(prodAcct, primary, prodRDSARN), facts: withKey(primary, idProdRDS, currentSince(testNow.Add(-365*day-time.Second))),
		now: testNow.In(la), verdict: NonCompliant, reason: ReasonMaterialOverdue},
	"facts in Tokyo, now in UTC": {res: db(prodAcct, primary, prodRDSARN), facts: withKey(primary, idProdRDS, currentSince(testNow.Add(-365*day).In(tokyo))),
		verdict: Compliant, reason: ReasonCompliant},
	"current date unknown": {res: db(prodAcct, primary, prodRDSARN), facts: withKey(primary, idProdRDS, currentSince(time.Time{})),
		verdict: InsufficientData, reason: ReasonKeyUnreadable},
	"expiring inside window": {res: bucket(devAcct, primary, devS3ARN), facts: withKey(primary, idDevS3, expiringAt(testNow.Add(10*day), "CURRENT")),
		verdict: NonCompliant, reason: ReasonMaterialExpiring, detailHas: "in 10 days"},
	"expiry exactly at window edge": {res: bucket(devAcct, primary, devS3ARN), facts: withKey(primary, idDevS3, expiringAt(testNow.Add(30*day), "CURRENT")),
		verdict: NonCompliant, reason: ReasonMaterialExpiring},
	"expiry just past window edge": {res: bucket(devAcct, primary, devS3ARN), facts: withKey(primary, idDevS3, expiringAt(testNow.Add(30*day+1), "CURRENT")),
		verdict: Compliant, reason: ReasonCompliant},
	"window edge with now in Tokyo": {res: bucket(devAcct, primary, devS3ARN), facts: withKey(primary, idDevS3, expiringAt(testNow.Add(30*day), "CURRENT")),
		now: testNow.In(tokyo), verdict: NonCompliant, reason: ReasonMaterialExpiring},
	"already expired": {res: bucket(devAcct, primary, devS3ARN), facts: withKey(primary, idDevS3, expiringAt(testNow.Add(-time.Hour), "CURRENT")),
		verdict: NonCompliant, reason: ReasonMaterialExpiring, detailHas: "expired at"},
	"non-current material expiring": {res: bucket(devAcct, primary, devS3ARN), facts: withKey(primary, idDevS3, expiringAt(testNow.Add(5*day), "NON_CURRENT")),
		verdict: NonCompliant, reason: ReasonMaterialExpiring},
	"pending material expiring": {res: bucket(devAcct, primary, devS3ARN), facts: withKey(primary, idDevS3, expiringAt(testNow.Add(5*day), "PENDING_ROTATION")),
		verdict: NonCompliant, reason: ReasonMaterialExpiring},
	"overdue beats expiring": {res: bucket(devAcct, primary, devS3ARN),
		facts: func(t testing.TB, x *Index) {
			withKey(primary, idDevS3, expiringAt(testNow.Add(day), "CURRENT"))(t, x)
			withKey(primary, idDevS3, currentSince(testNow.Add(-400*day)))(t, x)
		},
		verdict: NonCompliant, reason: ReasonMaterialOverdue},
	"compliant with far expiry": {res: bucket(devAcct, primary, devS3ARN), facts: withKey(primary, idDevS3, expiringAt(testNow.Add(300*day), "CURRENT")),
		verdict: Compliant, reason: ReasonCompliant, detailHas: "100 days old"},
}

func TestEvaluateEstateKeys(t *testing.T) { runEvalCases(t, estateKeyCases) }

func TestEvaluateKeyState(t *testing.T) { runEvalCases(t, stateCases) }

func TestEvaluateMaterial(t *testing.T) { runEvalCases(t, materialCases) }

// TestEveryReasonCovered fails when a reason Evaluate can return has no
// case in the tables above.
func TestEveryReasonCovered(t *testing.T) {
	seen := map[Reason]bool{}
	for _, cases := range []map[string]evalCase{scopeAndEncryptionCases, referenceCases, estateKeyCases, stateCases, materialCases} {
		for _, tc := range cases {
			seen[tc.reason] = true
		}
	}
	for _, r := range Reasons() {
		if !seen[r] {
			t.Errorf("no test case for reason %s", r)
		}
	}
}

// TestKeyFactsCarryNoTags guards the rule that tags are never evidence of
// rotation: a LastRotationDate tag anyone with TagResource can write.
func TestKeyFactsCarryNoTags(t *testing.T) {
	typ := reflect.TypeFor[KeyFacts]()
	for i := range typ.NumField() {
		if name := typ.Field(i).Name; strings.Contains(strings.ToLower(name), "tag") {
			t.Errorf("KeyFacts has field %s: tags must not be evidence of rotation", name)
		}
	}
}

func TestDetailIsClipped(t *testing.T) {
	r := bucket(prodAcct, primary, "")
	r.Encryption = EncryptionNone
	r.Name = strings.Repeat("é", 300)
	got := Evaluate(r, testIndex(t), testEstate(), testNow)
	if n := len(got.Detail); n > 256 || n == 0 {
		t.Fatalf("detail is %d bytes", n)
	}
	if !strings.HasSuffix(got.Detail, "…") || !utf8Valid(got.Detail) {
		t.Fatalf("detail not clipped on a rune boundary: %q", got.Detail)
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// TestSpanIsDeterministic: two scans of the same state seconds apart give
// the same detail (no "1m11s old").
func TestSpanIsDeterministic(t *testing.T) {
	cases := map[time.Duration]string{
		71 * time.Second:               "less than a day",
		23*time.Hour + 59*time.Minute:  "less than a day",
		24 * time.Hour:                 "1 day",
		47 * time.Hour:                 "1 day",
		412*24*time.Hour + time.Minute: "412 days",
	}
	for d, want := range cases {
		if got := span(d); got != want {
			t.Errorf("span(%v) = %q, want %q", d, got, want)
		}
	}
}
