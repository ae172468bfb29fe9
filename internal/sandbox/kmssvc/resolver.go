package kmssvc

import (
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// ResolveKey implements svc.KeyResolver for sandbox services that accept a
// KmsKeyId at resource creation (RDS, DynamoDB, S3): ref is a key ID, key
// ARN, alias name or alias ARN; bare IDs and alias names are resolved in
// the caller's account and the call's Region; a predefined alias/aws/*
// creates its AWS managed key as AWS does on first use. The caller must be
// allowed kms:DescribeKey and kms:GenerateDataKey by the key policy and the
// key must be Enabled. Errors are *awsproto.Error with KMS's codes.
func (s *Service) ResolveKey(caller svc.Call, ref string) (string, error) {
	s.sweepIfDue(caller.Now)
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := &event{}
	k, err := s.findKey(&caller, ref, access{action: "DescribeKey", aliases: true, crossAccount: true, createAWS: true}, ev)
	if err == nil {
		err = s.authorize(&caller, k, access{action: "GenerateDataKey"}, ev)
	}
	if err == nil {
		err = usable(k)
	}
	s.reschedule()
	if err != nil {
		return "", err
	}
	return k.ARN, nil
}
