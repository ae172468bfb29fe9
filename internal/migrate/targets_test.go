package migrate

import (
	"errors"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
)

const estateYAML = `security_account: "111111111111"
regions: [eu-west-1, eu-central-1]
alias_format: "alias/{env}/{service}"
policy: {max_material_age: 365d, expiry_warning: 30d, wrapping: {algorithm: RSAES_OAEP_SHA_256, key_spec: RSA_4096}, strategy: new-key}
hsm: "pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:BYOK_HSM_PIN"
roles: {operator: "arn:aws:iam::111111111111:role/byok-operator", verify: "arn:aws:iam::{account}:role/byok-verify"}
environments:
  prod: {account: "333333333333"}
services: [s3, rds, dynamodb]
`

func TestCheckTargetARN(t *testing.T) {
	for ref, want := range map[string]error{
		newKey: nil,
		"arn:aws:kms:eu-west-1:111111111111:key/mrk-0123456789abcdef0123456789abcdef": nil,
		"alias/prod/rds": ErrTargetAlias,
		"arn:aws:kms:eu-west-1:111111111111:alias/prod/rds": ErrTargetAlias,
		"22222222-2222-2222-2222-222222222222":              ErrTargetAlias,
		"":                                                  ErrTargetAlias,
	} {
		if err := CheckTargetARN(ref); !errors.Is(err, want) {
			t.Errorf("CheckTargetARN(%q) = %v, want %v", ref, err, want)
		}
	}
}

func TestEstateTargets(t *testing.T) {
	est, err := estate.Parse("t.yaml", []byte(estateYAML))
	if err != nil {
		t.Fatal(err)
	}
	aliases := func(account, region, alias string) (string, bool) {
		if account == "111111111111" && alias == "alias/prod/rds" && region == "eu-west-1" {
			return newKey, true
		}
		return "", false
	}
	res := func(typ compliance.ResourceType, account, region string) compliance.Resource {
		return compliance.Resource{Type: typ, Account: account, Region: region}
	}
	tests := map[string]struct {
		r        compliance.Resource
		to       string
		key, why string
	}{
		"estate key by ARN":     {res(compliance.RDSInstance, "333333333333", "eu-west-1"), "", newKey, ""},
		"override with --to":    {res(compliance.S3Bucket, "333333333333", "eu-west-1"), oldKey, oldKey, ""},
		"account outside":       {res(compliance.RDSInstance, "999999999999", "eu-west-1"), "", "", "no estate environment"},
		"alias missing":         {res(compliance.S3Bucket, "333333333333", "eu-west-1"), "", "", "does not exist"},
		"region outside estate": {res(compliance.RDSInstance, "333333333333", "us-east-1"), "", "", "no rds key"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := EstateTargets(est, aliases, tc.to)(tc.r)
			if got.KeyARN != tc.key || !strings.Contains(got.Why, tc.why) || (tc.why == "") != (got.Why == "") {
				t.Fatalf("target = %+v, want key %q why %q", got, tc.key, tc.why)
			}
		})
	}
}
