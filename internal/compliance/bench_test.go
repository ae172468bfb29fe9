package compliance

import "testing"

// BenchmarkEvaluate measures one resource's evaluation against an index
// holding the fixture estate, cycling through the common shapes: a
// compliant key ARN, an alias ARN, a multi-Region replica, a superseded key
// and a bare alias in a consumer account.
func BenchmarkEvaluate(b *testing.B) {
	x := testIndex(b)
	e := testEstate()
	resources := []Resource{
		bucket(prodAcct, primary, prodS3ARN),
		bucket(prodAcct, primary, "arn:aws:kms:eu-west-1:111111111111:alias/prod/s3"),
		table(prodAcct, replica, mrkReplicaARN),
		db(prodAcct, primary, secARN(primary, idOldRDS)),
		bucket(prodAcct, primary, "alias/prod/s3"),
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if got := Evaluate(resources[i%len(resources)], x, e, testNow); got.Verdict == VerdictUnknown {
			b.Fatal("no verdict")
		}
	}
}

// BenchmarkEvaluateWithExceptions is BenchmarkEvaluate for a NON_COMPLIANT
// resource against 200 exceptions, none of which match until the last:
// the cost of the exceptions rule in the worst case (every pattern tried).
func BenchmarkEvaluateWithExceptions(b *testing.B) {
	x := testIndex(b)
	e := testEstate()
	for i := range 199 {
		exceptionFor("arn:aws:s3:::other-"+string(rune('a'+i%26))+"*-"+string(rune('a'+i/26)), "", "2026-03-31")(e)
	}
	exceptionFor("arn:aws:s3:::b-*", "", "2026-03-31")(e)
	r := unencryptedBucket()
	b.ReportAllocs()
	for b.Loop() {
		if got := Evaluate(r, x, e, testNow); got.Verdict != Exempted {
			b.Fatal("not exempted")
		}
	}
}
