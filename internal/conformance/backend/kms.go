package backend

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go/middleware"
)

// KMS is a client acting in account that cleans up after the test: every
// key it creates gets the tag byok-conformance=RUN and is scheduled for
// deletion (7 days) when the test ends, every alias it creates is deleted.
// Test bodies use it like any KMS client.
func (b *Backend) KMS(t testing.TB, account string) *kms.Client {
	t.Helper()
	return kms.NewFromConfig(b.Config(t, account), func(o *kms.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Initialize.Add(b.tracker(t, account), middleware.After)
		})
	})
}

// tracker tags keys before CreateKey and registers cleanup after a
// successful CreateKey or CreateAlias.
func (b *Backend) tracker(t testing.TB, account string) middleware.InitializeMiddleware {
	return middleware.InitializeMiddlewareFunc("byok-conformance-cleanup", func(ctx context.Context, in middleware.InitializeInput,
		next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		if ck, ok := in.Parameters.(*kms.CreateKeyInput); ok {
			ck.Tags = append(ck.Tags, b.KMSTags()...)
		}
		out, md, err := next.HandleInitialize(ctx, in)
		if err != nil {
			return out, md, err
		}
		switch r := out.Result.(type) {
		case *kms.CreateKeyOutput:
			id := aws.ToString(r.KeyMetadata.KeyId)
			t.Cleanup(func() { b.deleteKey(t, kms.NewFromConfig(b.Config(t, account)), id) })
		case *kms.CreateAliasOutput:
			name := aws.ToString(in.Parameters.(*kms.CreateAliasInput).AliasName)
			t.Cleanup(func() { b.deleteAlias(t, kms.NewFromConfig(b.Config(t, account)), name) })
		}
		return out, md, err
	})
}
