package estate

import (
	"fmt"
	"reflect"
	"testing"
)

func mustParse(t *testing.T, doc string) *Estate {
	t.Helper()
	e, err := Parse("t.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestKeysExample(t *testing.T) {
	e := mustParse(t, string(ExampleYAML()))
	keys := e.Keys()
	if len(keys) != 6 {
		t.Fatalf("%d keys, want 6 (2 envs × 3 services × 1 region)", len(keys))
	}
	want := Key{Env: "prod", Service: ServiceDynamoDB, Alias: "alias/prod/dynamodb", Account: "111111111111",
		Region: "eu-west-1", Consumer: "333333333333", Replicas: []string{"eu-central-1"}}
	if !reflect.DeepEqual(keys[5], want) {
		t.Fatalf("last key %+v, want %+v", keys[5], want)
	}
	if got := keys[5].AliasARN(); got != "arn:aws:kms:eu-west-1:111111111111:alias/prod/dynamodb" {
		t.Errorf("alias ARN %s", got)
	}
	for _, k := range keys[:5] {
		if k.Replicas != nil || k.Account != "111111111111" || k.Region != "eu-west-1" {
			t.Errorf("key %+v: want single-Region in eu-west-1 owned by the Security account", k)
		}
	}
	if keys[0].Env != "dev" || keys[0].Service != ServiceS3 || keys[0].Consumer != "222222222222" {
		t.Errorf("first key %+v, want dev/s3 in file order", keys[0])
	}
}

// twoRegions lists eu-central-1 as a region and as a replica of prod/s3.
func twoRegions(t *testing.T) *Estate {
	return mustParse(t, withLines(map[int]string{2: "regions: [eu-west-1, eu-central-1]", 10: "services: [s3, rds]"},
		"multi_region: [{env: prod, service: s3, replicas: [eu-central-1, us-east-1]}]"))
}

func TestKeysReplicaRegionHasNoSeparateKey(t *testing.T) {
	var got []string
	for _, k := range twoRegions(t).Keys() {
		got = append(got, fmt.Sprintf("%s/%s@%s%v", k.Env, k.Service, k.Region, k.Replicas))
	}
	want := []string{
		"dev/s3@eu-west-1[]", "dev/s3@eu-central-1[]", "dev/rds@eu-west-1[]", "dev/rds@eu-central-1[]",
		"prod/s3@eu-west-1[eu-central-1 us-east-1]", "prod/rds@eu-west-1[]", "prod/rds@eu-central-1[]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("keys\n got %v\nwant %v", got, want)
	}
}

func TestKeyFor(t *testing.T) {
	e := twoRegions(t)
	cases := map[string]struct {
		env, region string
		svc         Service
		ok          bool
		wantRegion  string
	}{
		"primary":            {"prod", "eu-west-1", ServiceS3, true, "eu-west-1"},
		"listed replica":     {"prod", "eu-central-1", ServiceS3, true, "eu-west-1"},
		"unlisted replica":   {"prod", "us-east-1", ServiceS3, true, "eu-west-1"},
		"second region":      {"dev", "eu-central-1", ServiceS3, true, "eu-central-1"},
		"region not in use":  {"dev", "us-east-1", ServiceS3, false, ""},
		"service not listed": {"dev", "eu-west-1", ServiceDynamoDB, false, ""},
		"unknown env":        {"stage", "eu-west-1", ServiceS3, false, ""},
	}
	for name, c := range cases {
		k, ok := e.KeyFor(c.env, c.svc, c.region)
		if ok != c.ok || k.Region != c.wantRegion {
			t.Errorf("%s: KeyFor = %+v, %v; want region %q, %v", name, k, ok, c.wantRegion, c.ok)
		}
	}
}

func TestAccountLookups(t *testing.T) {
	e := mustParse(t, string(ExampleYAML()))
	if got := e.Accounts(); !reflect.DeepEqual(got, []string{"111111111111", "222222222222", "333333333333"}) {
		t.Errorf("Accounts = %v", got)
	}
	if env, ok := e.EnvForAccount("333333333333"); !ok || env.Name != "prod" {
		t.Errorf("EnvForAccount(prod) = %+v, %v", env, ok)
	}
	if _, ok := e.EnvForAccount("111111111111"); ok {
		t.Error("the Security account is no environment")
	}
	if _, ok := e.Environment("stage"); ok {
		t.Error("Environment(stage) found")
	}
	if got := e.VerifyRole("222222222222"); got != "arn:aws:iam::222222222222:role/byok-verify" {
		t.Errorf("VerifyRole = %s", got)
	}
	if e.PrimaryRegion() != "eu-west-1" || (&Estate{}).PrimaryRegion() != "" {
		t.Error("PrimaryRegion")
	}
}

func ExampleEstate_Keys() {
	e, err := Parse("example.yaml", ExampleYAML())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, k := range e.Keys() {
		fmt.Println(k.Consumer, k.AliasARN(), k.Replicas)
	}
	// Output:
	// 222222222222 arn:aws:kms:eu-west-1:111111111111:alias/dev/s3 []
	// 222222222222 arn:aws:kms:eu-west-1:111111111111:alias/dev/rds []
	// 222222222222 arn:aws:kms:eu-west-1:111111111111:alias/dev/dynamodb []
	// 333333333333 arn:aws:kms:eu-west-1:111111111111:alias/prod/s3 []
	// 333333333333 arn:aws:kms:eu-west-1:111111111111:alias/prod/rds []
	// 333333333333 arn:aws:kms:eu-west-1:111111111111:alias/prod/dynamodb [eu-central-1]
}

func ExampleParse() {
	doc := `security_account: "111111111111"
regions: [eu-west-1]
hsm: "pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:BYOK_HSM_PIN"
roles: {operator: "arn:aws:iam::111111111111:role/byok-operator", verify: "arn:aws:iam::{account}:role/byok-verify"}
environments:
  dev: {account: 22222222222}
services: [s3, dynamo]
polcy: {max_material_age: 365d}
`
	_, err := Parse("byok.yaml", []byte(doc))
	for _, e := range Errors(err) {
		fmt.Println(e)
	}
	// Output:
	// byok.yaml:6:18: environments.dev.account: "22222222222" is not a 12-digit account ID (hint: an AWS account ID is exactly 12 digits; quote it to keep leading zeros: "012345678901")
	// byok.yaml:7:16: services[1]: unknown service "dynamo" (hint: did you mean "dynamodb"?)
	// byok.yaml:8:1: polcy: unknown field "polcy" (hint: did you mean "policy"?)
}
