package rotation

import (
	"errors"
	"testing"
)

func TestSubjectAt(t *testing.T) {
	const key = "arn:aws:kms:eu-west-1:111111111111:key/k"
	for name, c := range map[string]struct {
		arn, loc string
		want     Subject
		err      error
	}{
		"rds instance": {arn: "arn:aws:rds:eu-west-1:333333333333:db:prod-db", loc: "333333333333/eu-west-1",
			want: Subject{Partition: "aws", Service: "rds", Account: "333333333333", Region: "eu-west-1", Kind: "db", Name: "prod-db"}},
		"aurora cluster": {arn: "arn:aws:rds:eu-west-1:333333333333:cluster:prod-aurora",
			want: Subject{Partition: "aws", Service: "rds", Account: "333333333333", Region: "eu-west-1", Kind: "cluster", Name: "prod-aurora"}},
		"table": {arn: "arn:aws:dynamodb:eu-west-1:333333333333:table/orders",
			want: Subject{Partition: "aws", Service: "dynamodb", Account: "333333333333", Region: "eu-west-1", Kind: "table", Name: "orders"}},
		"bucket with location": {arn: "arn:aws:s3:::prod-assets", loc: "333333333333/eu-west-1",
			want: Subject{Partition: "aws", Service: "s3", Account: "333333333333", Region: "eu-west-1", Kind: "bucket", Name: "prod-assets"}},
		"bucket without location": {arn: "arn:aws:s3:::prod-assets", err: ErrSubject},
		"location disagrees":      {arn: "arn:aws:rds:eu-west-1:333333333333:db:x", loc: "222222222222/eu-west-1", err: ErrSubject},
		"bad location":            {arn: "arn:aws:rds:eu-west-1:333333333333:db:x", loc: "eu-west-1", err: ErrSubject},
		"key ARN":                 {arn: key, err: ErrSubject},
		"snapshot":                {arn: "arn:aws:rds:eu-west-1:333333333333:snapshot:s", err: ErrSubject},
		"table index":             {arn: "arn:aws:dynamodb:eu-west-1:333333333333:table/t/index/i", err: ErrSubject},
		"object":                  {arn: "arn:aws:s3:::b/k", loc: "333333333333/eu-west-1", err: ErrSubject},
		"not an ARN":              {arn: "prod-db", err: ErrSubject},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := SubjectAt(c.arn, c.loc, key)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				return
			}
			c.want.ARN, c.want.TargetKey = c.arn, key
			if err != nil || got != c.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
			}
			if back, err := SubjectAt(got.ARN, got.Location(), key); err != nil || back != got {
				t.Fatalf("round trip through Location: %+v, %v", back, err)
			}
		})
	}
}

func FuzzSubjectAt(f *testing.F) {
	f.Add("arn:aws:rds:eu-west-1:333333333333:db:prod-db", "333333333333/eu-west-1")
	f.Add("arn:aws:s3:::b", "1/r")
	f.Add("arn:aws:dynamodb:r:a:table/t", "")
	f.Fuzz(func(t *testing.T, arn, loc string) {
		s, err := SubjectAt(arn, loc, "k")
		if err != nil {
			if !errors.Is(err, ErrSubject) {
				t.Fatalf("error %v does not wrap ErrSubject", err)
			}
			return
		}
		if s.ARN != arn || s.Account == "" || s.Region == "" || s.Name == "" {
			t.Fatalf("accepted %q %q as %+v", arn, loc, s)
		}
	})
}
