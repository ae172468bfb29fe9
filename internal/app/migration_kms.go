package app

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/rotation"
)

// MigrationKMS implements rotation.KMSResources: the migration role's KMS
// client, with which an S3 rollback proves the member account can still
// use the key its objects go back to.
func (m *Migration) MigrationKMS(ctx context.Context, account, region string) (rotation.KeyUser, error) {
	cfg, err := m.config(ctx, account, region)
	if err != nil {
		return nil, err
	}
	return kms.NewFromConfig(cfg), nil
}

var _ rotation.KMSResources = (*Migration)(nil)
