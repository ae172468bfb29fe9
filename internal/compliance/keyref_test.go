package compliance

import (
	"errors"
	"strings"
	"testing"
)

func TestParseKeyRef(t *testing.T) {
	cases := map[string]struct {
		ref, account, region string
		want                 KeyRef
		arn                  string
	}{
		"bare uuid": {ref: idProdS3, account: prodAcct, region: primary,
			want: KeyRef{Kind: KeyRefKeyID, Partition: "aws", Account: prodAcct, Region: primary, KeyID: idProdS3},
			arn:  "arn:aws:kms:eu-west-1:333333333333:key/" + idProdS3},
		"bare mrk": {ref: idProdDDB, account: secAcct, region: replica,
			want: KeyRef{Kind: KeyRefKeyID, Partition: "aws", Account: secAcct, Region: replica, KeyID: idProdDDB},
			arn:  "arn:aws:kms:eu-central-1:111111111111:key/" + idProdDDB},
		"key arn ignores resource account": {ref: prodS3ARN, account: prodAcct, region: replica,
			want: KeyRef{Kind: KeyRefKeyARN, Partition: "aws", Account: secAcct, Region: primary, KeyID: idProdS3}, arn: prodS3ARN},
		"key arn needs no resource context": {ref: prodS3ARN,
			want: KeyRef{Kind: KeyRefKeyARN, Partition: "aws", Account: secAcct, Region: primary, KeyID: idProdS3}, arn: prodS3ARN},
		"china partition arn": {ref: "arn:aws-cn:kms:cn-north-1:111111111111:key/" + idProdS3,
			want: KeyRef{Kind: KeyRefKeyARN, Partition: "aws-cn", Account: secAcct, Region: "cn-north-1", KeyID: idProdS3},
			arn:  "arn:aws-cn:kms:cn-north-1:111111111111:key/" + idProdS3},
		"bare alias": {ref: "alias/prod/s3", account: prodAcct, region: primary,
			want: KeyRef{Kind: KeyRefAliasName, Partition: "aws", Account: prodAcct, Region: primary, Alias: "alias/prod/s3"},
			arn:  "arn:aws:kms:eu-west-1:333333333333:alias/prod/s3"},
		"bare alias in govcloud": {ref: "alias/x", account: prodAcct, region: "us-gov-west-1",
			want: KeyRef{Kind: KeyRefAliasName, Partition: "aws-us-gov", Account: prodAcct, Region: "us-gov-west-1", Alias: "alias/x"},
			arn:  "arn:aws-us-gov:kms:us-gov-west-1:333333333333:alias/x"},
		"alias arn": {ref: "arn:aws:kms:eu-west-1:111111111111:alias/prod/s3",
			want: KeyRef{Kind: KeyRefAliasARN, Partition: "aws", Account: secAcct, Region: primary, Alias: "alias/prod/s3"},
			arn:  "arn:aws:kms:eu-west-1:111111111111:alias/prod/s3"},
		"aws managed alias": {ref: "alias/aws/s3", account: prodAcct, region: primary,
			want: KeyRef{Kind: KeyRefAliasName, Partition: "aws", Account: prodAcct, Region: primary, Alias: "alias/aws/s3"},
			arn:  "arn:aws:kms:eu-west-1:333333333333:alias/aws/s3"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ParseKeyRef(tc.ref, tc.account, tc.region)
			if err != nil {
				t.Fatalf("ParseKeyRef(%q): %v", tc.ref, err)
			}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if got.ARN() != tc.arn {
				t.Errorf("ARN() = %q, want %q", got.ARN(), tc.arn)
			}
		})
	}
}

func TestKeyRefPredicates(t *testing.T) {
	aws, _ := ParseKeyRef("alias/aws/rds", prodAcct, primary)
	notAWS, _ := ParseKeyRef("alias/awsome", prodAcct, primary)
	mrk, _ := ParseKeyRef(idProdDDB, prodAcct, primary)
	arn, _ := ParseKeyRef(prodS3ARN, "", "")
	switch {
	case !aws.AWSManaged() || !aws.IsAlias() || aws.Qualified():
		t.Errorf("alias/aws/rds: %+v", aws)
	case notAWS.AWSManaged():
		t.Errorf("alias/awsome is not an AWS managed alias")
	case !mrk.MultiRegion() || mrk.IsAlias():
		t.Errorf("mrk id: %+v", mrk)
	case !arn.Qualified() || arn.MultiRegion() || arn.AWSManaged():
		t.Errorf("key arn: %+v", arn)
	}
}

func TestParseKeyRefErrors(t *testing.T) {
	cases := map[string]struct {
		ref, account, region string
		want                 error
	}{
		"empty":                   {ref: "", account: prodAcct, region: primary, want: ErrKeyRefEmpty},
		"garbage":                 {ref: "my-key", account: prodAcct, region: primary, want: ErrKeyRefSyntax},
		"uppercase uuid":          {ref: "ABCDEF12-1111-4111-8111-111111111111", account: prodAcct, region: primary, want: ErrKeyRefSyntax},
		"padded uuid":             {ref: " " + idProdS3, account: prodAcct, region: primary, want: ErrKeyRefSyntax},
		"short mrk":               {ref: "mrk-1234", account: prodAcct, region: primary, want: ErrKeyRefSyntax},
		"bare id without account": {ref: idProdS3, account: "", region: primary, want: ErrKeyRefAccount},
		"bare alias bad region":   {ref: "alias/x", account: prodAcct, region: "Europe", want: ErrKeyRefRegion},
		"empty alias":             {ref: "alias/", account: prodAcct, region: primary, want: ErrKeyRefAlias},
		"alias with space":        {ref: "alias/prod s3", account: prodAcct, region: primary, want: ErrKeyRefAlias},
		"alias too long":          {ref: "alias/" + strings.Repeat("a", 251), account: prodAcct, region: primary, want: ErrKeyRefAlias},
		"arn not kms":             {ref: "arn:aws:s3:::bucket", want: ErrKeyRefARN},
		"arn short":               {ref: "arn:aws:kms:eu-west-1", want: ErrKeyRefARN},
		"arn bad partition":       {ref: "arn:gcp:kms:eu-west-1:111111111111:key/" + idProdS3, want: ErrKeyRefARN},
		"arn empty region":        {ref: "arn:aws:kms::111111111111:key/" + idProdS3, want: ErrKeyRefRegion},
		"arn bad account":         {ref: "arn:aws:kms:eu-west-1:11111111111:key/" + idProdS3, want: ErrKeyRefAccount},
		"arn bad key id":          {ref: "arn:aws:kms:eu-west-1:111111111111:key/nope", want: ErrKeyRefKeyID},
		"arn bad alias":           {ref: "arn:aws:kms:eu-west-1:111111111111:alias/", want: ErrKeyRefAlias},
		"arn other resource":      {ref: "arn:aws:kms:eu-west-1:111111111111:grant/x", want: ErrKeyRefARN},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseKeyRef(tc.ref, tc.account, tc.region)
			if !errors.Is(err, tc.want) {
				t.Fatalf("ParseKeyRef(%q) error = %v, want %v", tc.ref, err, tc.want)
			}
			var kre *KeyRefError
			if !errors.As(err, &kre) || kre.Hint == "" || kre.Problem == "" {
				t.Fatalf("error %v is not a *KeyRefError with a problem and a hint", err)
			}
		})
	}
}

func FuzzParseKeyRef(f *testing.F) {
	seeds := []string{
		idProdS3, idProdDDB, prodS3ARN, "alias/prod/s3", "alias/aws/s3",
		"arn:aws:kms:eu-west-1:111111111111:alias/prod/s3", "arn:aws-cn:kms:cn-north-1:111111111111:key/" + idProdS3,
		"", "alias/", "arn:", "arn:aws:kms:eu-west-1:111111111111:key/", "mrk-", "alias/é",
	}
	for _, s := range seeds {
		f.Add(s, prodAcct, primary)
	}
	f.Fuzz(func(t *testing.T, ref, account, region string) {
		k, err := ParseKeyRef(ref, account, region)
		if err != nil {
			var kre *KeyRefError
			if !errors.As(err, &kre) {
				t.Fatalf("error %v is not a *KeyRefError", err)
			}
			return
		}
		if k.Kind == KeyRefInvalid || k.Account == "" || k.Region == "" || k.Partition == "" {
			t.Fatalf("accepted %q as incomplete %+v", ref, k)
		}
		// The canonical ARN parses back to the same reference.
		again, err := ParseKeyRef(k.ARN(), "", "")
		if err != nil {
			t.Fatalf("canonical ARN %q of %q does not parse: %v", k.ARN(), ref, err)
		}
		if again.Account != k.Account || again.Region != k.Region || again.KeyID != k.KeyID || again.Alias != k.Alias || again.IsAlias() != k.IsAlias() {
			t.Fatalf("round trip of %q: %+v → %+v", ref, k, again)
		}
	})
}
