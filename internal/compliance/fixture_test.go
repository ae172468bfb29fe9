package compliance

import (
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/estate"
)

const (
	secAcct  = "111111111111"
	devAcct  = "222222222222"
	prodAcct = "333333333333"
	strayAcc = "444444444444"
	primary  = "eu-west-1"
	replica  = "eu-central-1"

	idProdS3   = "11111111-1111-4111-8111-111111111111"
	idProdRDS  = "22222222-2222-4222-8222-222222222222"
	idDevS3    = "33333333-3333-4333-8333-333333333333"
	idDevRDS   = "44444444-4444-4444-8444-444444444444"
	idDevDDB   = "55555555-5555-4555-8555-555555555555"
	idOldRDS   = "66666666-6666-4666-8666-666666666666"
	idStray    = "77777777-7777-4777-8777-777777777777"
	idAWSRDS   = "88888888-8888-4888-8888-888888888888"
	idConsumer = "99999999-9999-4999-8999-999999999999"
	idProdDDB  = "mrk-0123456789abcdef0123456789abcdef"
)

const day = 24 * time.Hour

// testNow is the evaluation time of every fixture.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testEstate() *estate.Estate {
	return &estate.Estate{
		SecurityAccount: secAcct,
		Regions:         []string{primary},
		AliasFormat:     "alias/{env}/{service}",
		Policy:          estate.Policy{MaxMaterialAge: 365 * day, ExpiryWarning: 30 * day},
		Environments: []estate.Environment{
			{Name: "dev", Account: devAcct},
			{Name: "prod", Account: prodAcct},
		},
		Services:    []estate.Service{estate.ServiceS3, estate.ServiceRDS, estate.ServiceDynamoDB},
		MultiRegion: []estate.MultiRegionKey{{Env: "prod", Service: estate.ServiceDynamoDB, Replicas: []string{replica}}},
	}
}

func secARN(region, id string) string { return KeyARN("aws", region, secAcct, id) }

// healthy returns facts of an enabled EXTERNAL key whose current material
// is 100 days old and never expires.
func healthy(region, id string) KeyFacts {
	return KeyFacts{
		ARN: secARN(region, id), Manager: "CUSTOMER", State: "Enabled", Origin: "EXTERNAL",
		CurrentSince: testNow.Add(-100 * day), CurrentID: "m-" + id[:8],
		Materials: []Material{{ID: "m-" + id[:8], State: "CURRENT", Since: testNow.Add(-100 * day)}},
	}
}

// testIndex is the Security account as keyfacts would read it: one
// healthy key per (env, service) except dev/dynamodb, plus a retired
// key, a stray key and a consumer account's aws/rds key.
func testIndex(t testing.TB) *Index {
	t.Helper()
	x := NewIndex()
	keys := []struct{ region, id, alias string }{
		{primary, idProdS3, "alias/prod/s3"},
		{primary, idProdRDS, "alias/prod/rds"},
		{primary, idProdDDB, "alias/prod/dynamodb"},
		{replica, idProdDDB, ""},
		{primary, idDevS3, "alias/dev/s3"},
		{primary, idDevRDS, "alias/dev/rds"},
		{primary, idDevDDB, "alias/dev/dynamodb"},
		{primary, idStray, "alias/someone-elses"},
	}
	for _, k := range keys {
		must(t, x.Add(healthy(k.region, k.id)))
		if k.alias != "" {
			must(t, x.AddAlias(secAcct, k.region, k.alias, secARN(k.region, k.id)))
		}
	}
	old := healthy(primary, idOldRDS)
	old.FormerAliases = []string{"alias/prod/rds"}
	must(t, x.Add(old))
	must(t, x.Add(KeyFacts{ARN: KeyARN("aws", primary, prodAcct, idAWSRDS), Manager: "AWS", State: "Enabled", Origin: "AWS_KMS"}))
	return x
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// bucket, db and table build resources in an account and region.
func bucket(acct, region, ref string) Resource {
	return Resource{Type: S3Bucket, ID: "b-" + acct, Name: "b-" + acct, ARN: "arn:aws:s3:::b-" + acct,
		Account: acct, Region: region, Encryption: EncryptionKMS, KeyRef: ref}
}

func db(acct, region, ref string) Resource {
	return Resource{Type: RDSInstance, ID: "db-ABCDEFGHIJKLMNOP", Name: "orders",
		ARN: "arn:aws:rds:" + region + ":" + acct + ":db:orders", Account: acct, Region: region,
		Encryption: EncryptionKMS, KeyRef: ref}
}

func table(acct, region, ref string) Resource {
	return Resource{Type: DynamoDBTable, ID: "sessions", Name: "sessions",
		ARN: "arn:aws:dynamodb:" + region + ":" + acct + ":table/sessions", Account: acct, Region: region,
		Encryption: EncryptionKMS, KeyRef: ref}
}

// withKey replaces one key's facts in the index.
func withKey(region, id string, change func(*KeyFacts)) func(testing.TB, *Index) {
	return func(t testing.TB, x *Index) {
		f, ok := x.Key(secARN(region, id))
		if !ok {
			t.Fatalf("fixture has no key %s in %s", id, region)
		}
		change(&f)
		must(t, x.Add(f))
	}
}

func ptr(t time.Time) *time.Time { return &t }
