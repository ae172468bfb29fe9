package app

import (
	"context"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/migrate/s3batch"
	"github.com/byok-dev/byok/internal/rotation"
)

// S3 implements rotation.S3Resources: the migration role's S3 client
// (path-style against a custom endpoint, see awsx.S3).
func (m *Migration) S3(ctx context.Context, account, region string) (rotation.S3Bucket, error) {
	cfg, err := m.config(ctx, account, region)
	if err != nil {
		return nil, err
	}
	return awsx.S3(cfg), nil
}

// S3Control implements rotation.S3Resources: the migration role's S3
// Control client, for Batch Operations jobs in the bucket's account.
func (m *Migration) S3Control(ctx context.Context, account, region string) (s3batch.Control, error) {
	cfg, err := m.config(ctx, account, region)
	if err != nil {
		return nil, err
	}
	return awsx.S3Control(cfg), nil
}

var _ rotation.S3Resources = (*Migration)(nil)
