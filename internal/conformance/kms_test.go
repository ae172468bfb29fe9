package conformance_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/conformance/backend"
)

// absentKey is a well-formed key ID that exists in no account.
const absentKey = "00000000-0000-4000-8000-0000b0c0f0e0"

// KMS's answers for keys and aliases that do not exist, which keyfacts and
// the rotation engine classify: NotFoundException, never AccessDenied or
// a generic error, for the calls byok makes.
func TestKMSNotFound(t *testing.T) {
	backend.Each(t, func(t *testing.T, b *backend.Backend) {
		c := kms.NewFromConfig(b.Config(t, b.Security))
		ctx := context.Background()
		calls := map[string]func() error{
			"DescribeKey by ID": func() error {
				_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(absentKey)})
				return err
			},
			"DescribeKey by alias": func() error {
				_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/byok-conformance/none")})
				return err
			},
			"ListKeyRotations": func() error {
				_, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(absentKey), IncludeKeyMaterial: ktypes.IncludeKeyMaterialAllKeyMaterial})
				return err
			},
			"GetParametersForImport": func() error {
				_, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: aws.String(absentKey),
					WrappingAlgorithm: ktypes.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: ktypes.WrappingKeySpecRsa4096})
				return err
			},
			"Encrypt": func() error {
				_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(absentKey), Plaintext: []byte("canary")})
				return err
			},
		}
		for name, call := range calls {
			t.Run(name, func(t *testing.T) {
				if err := call(); code(err) != "NotFoundException" {
					t.Fatalf("%s: err = %v, want NotFoundException", b.Name(), err)
				}
			})
		}
	})
}
