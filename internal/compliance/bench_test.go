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
