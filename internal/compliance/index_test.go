package compliance

import (
	"errors"
	"slices"
	"sync"
	"testing"
)

func TestIndexAddErrors(t *testing.T) {
	cases := map[string]KeyFacts{
		"no name":                  {},
		"alias arn":                {ARN: "arn:aws:kms:eu-west-1:111111111111:alias/prod/s3"},
		"arn and id disagree":      {ARN: prodS3ARN, KeyID: idDevS3},
		"arn and account disagree": {ARN: prodS3ARN, Account: prodAcct},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			if err := NewIndex().Add(f); !errors.Is(err, ErrBadFacts) {
				t.Fatalf("Add(%+v) = %v, want ErrBadFacts", f, err)
			}
		})
	}
}

func TestIndexAddAliasErrors(t *testing.T) {
	cases := map[string]struct{ account, region, alias, target string }{
		"target not a key arn":    {secAcct, primary, "alias/prod/s3", "alias/prod/s3"},
		"target in other account": {prodAcct, primary, "alias/prod/s3", prodS3ARN},
		"target in other region":  {secAcct, replica, "alias/prod/s3", prodS3ARN},
		"bad alias name":          {secAcct, primary, "prod/s3", prodS3ARN},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if err := NewIndex().AddAlias(tc.account, tc.region, tc.alias, tc.target); !errors.Is(err, ErrBadFacts) {
				t.Fatalf("AddAlias = %v, want ErrBadFacts", err)
			}
		})
	}
}

func TestIndexLookup(t *testing.T) {
	x := NewIndex()
	must(t, x.Add(KeyFacts{Account: secAcct, Region: "cn-north-1", KeyID: idProdS3, State: "Enabled"}))
	f, ok := x.Key("arn:aws-cn:kms:cn-north-1:111111111111:key/" + idProdS3)
	if !ok || f.ARN != "arn:aws-cn:kms:cn-north-1:111111111111:key/"+idProdS3 || f.State != "Enabled" {
		t.Fatalf("Key = %+v, %v", f, ok)
	}
	if _, ok := x.Key(KeyARN("aws", primary, secAcct, idProdS3)); ok {
		t.Fatal("a key of another region was found")
	}
	if _, ok := x.Key("alias/prod/s3"); ok {
		t.Fatal("an alias was found as a key")
	}
	must(t, x.AddAlias(secAcct, primary, "alias/prod/s3", prodS3ARN))
	if got, ok := x.AliasTarget(secAcct, primary, "alias/prod/s3"); !ok || got != prodS3ARN {
		t.Fatalf("AliasTarget = %q, %v", got, ok)
	}
	if _, ok := x.AliasTarget(prodAcct, primary, "alias/prod/s3"); ok {
		t.Fatal("alias found in the wrong account")
	}
	if k, a := x.Len(); k != 1 || a != 1 {
		t.Fatalf("Len = %d, %d", k, a)
	}
}

// TestIndexConcurrent is meant for -race: keyfacts fills the index while
// scan workers evaluate.
func TestIndexConcurrent(t *testing.T) {
	x := testIndex(t)
	e := testEstate()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for range 200 {
				if i%2 == 0 {
					must(t, x.Add(healthy(primary, idProdS3)))
				} else if got := Evaluate(bucket(prodAcct, primary, prodS3ARN), x, e, testNow); got.Verdict != Compliant {
					t.Errorf("got %v", got.Verdict)
				}
			}
		})
	}
	wg.Wait()
}

func FuzzEvaluate(f *testing.F) {
	for _, ref := range []string{"", prodS3ARN, "alias/prod/s3", idProdS3, "alias/aws/s3", idProdDDB, "arn:aws:kms:eu-west-1:333333333333:alias/prod/s3"} {
		f.Add(ref, prodAcct, primary, uint8(EncryptionKMS), "AWS::S3::Bucket")
	}
	f.Add("", devAcct, replica, uint8(EncryptionNone), "AWS::RDS::DBCluster")
	x := testIndex(f)
	e := testEstate()
	f.Fuzz(func(t *testing.T, ref, account, region string, enc uint8, typ string) {
		r := Resource{Type: ResourceType(typ), ID: "r", Account: account, Region: region, Encryption: Encryption(enc % 6), KeyRef: ref}
		got := Evaluate(r, x, e, testNow)
		if !slices.Contains(Verdicts(), got.Verdict) || !slices.Contains(Reasons(), got.Reason) {
			t.Fatalf("invalid verdict/reason %v/%q for %+v", got.Verdict, got.Reason, r)
		}
		if n := len(got.Detail); n == 0 || n > 256 {
			t.Fatalf("detail of %d bytes for %+v", n, r)
		}
		if got.Verdict == Compliant && got.KeyARN == "" {
			t.Fatalf("compliant without a key for %+v", r)
		}
	})
}
