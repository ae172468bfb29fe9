package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
)

// ownerFixable are the findings no key rotation can fix and a resource's
// owner fixes in place by pointing the resource at its estate key: AWS
// managed or AWS owned keys, no encryption, a customer key outside the
// estate, and a bare alias that resolves in the bucket owner's account.
var ownerFixable = map[compliance.Reason]bool{
	compliance.ReasonAWSManagedKey:     true,
	compliance.ReasonUnencrypted:       true,
	compliance.ReasonNotKMS:            true,
	compliance.ReasonKeyOutsideEstate:  true,
	compliance.ReasonAliasInOwnAccount: true,
}

// remediate plays the resource owners for the findings no key rotation can
// fix (buckets and tables not on their estate key): each bucket's or
// table's platform team, in its own account, points it at the estate key
// as the scan's finding said. byok never changes a resource's encryption
// settings; this phase is not byok.
func (s *story) remediate(ctx context.Context) error {
	n := 0
	for _, f := range s.rep.Before.NonCompliant {
		fix := s.fixerFor(f)
		if fix == nil {
			continue
		}
		rem, err := s.ownerFix(ctx, f, fix)
		s.rep.Remediations = append(s.rep.Remediations, rem)
		if err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return errors.New("the first scan found no resource its owner must fix; the seed's legacy buckets and tables are missing")
	}
	return nil
}

// ownerFixer applies one owner's fix as that account's administrator and
// returns the action it took.
type ownerFixer func(ctx context.Context, f Finding, k estate.Key) (string, error)

func (s *story) fixerFor(f Finding) ownerFixer {
	if !ownerFixable[compliance.Reason(f.Reason)] {
		return nil
	}
	switch f.Type {
	case compliance.S3Bucket.ShortName():
		return s.fixBucket
	case compliance.DynamoDBTable.ShortName():
		return s.fixTable
	}
	return nil
}

// ownerFix finds the estate key of the resource's environment and service
// and applies fix with it.
func (s *story) ownerFix(ctx context.Context, f Finding, fix ownerFixer) (Remediation, error) {
	env, ok := s.envOf(f.Account)
	rem := Remediation{Owner: env + " platform team (resource owner)", Account: f.Account, Resource: f.Type + " " + f.Name, Finding: f.Reason}
	if !ok {
		return rem, fmt.Errorf("%s %s is in account %s, which is no estate environment", f.Type, f.Name, f.Account)
	}
	svc := estate.ServiceS3
	if f.Type == compliance.DynamoDBTable.ShortName() {
		svc = estate.ServiceDynamoDB
	}
	k, err := s.envKey(env, svc, f.Region)
	if err != nil {
		return rem, err
	}
	s.out.warn("resource owner's fix, not byok's: the %s platform team points %s %s (%s) at the estate key %s", env, f.Type, f.Name, f.Reason, k.AliasARN())
	s.out.line("    %s", s.out.paint(sgrDim, "byok found and explained this finding; it never changes a resource's encryption settings"))
	rem.Action, err = fix(ctx, f, k)
	if err != nil {
		return rem, err
	}
	rem.OK = true
	return rem, nil
}

func (s *story) envOf(account string) (string, bool) {
	for _, e := range s.w.est.Environments {
		if e.Account == account {
			return e.Name, true
		}
	}
	return "", false
}

func (s *story) envKey(env string, svc estate.Service, region string) (estate.Key, error) {
	for _, k := range s.w.est.Keys() {
		if k.Env == env && k.Service == svc && k.Region == region {
			return k, nil
		}
	}
	return estate.Key{}, fmt.Errorf("the estate has no %s key for %s in %s", svc, env, region)
}
