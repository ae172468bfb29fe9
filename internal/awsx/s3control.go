package awsx

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
)

// S3Control returns an S3 Control client (Batch Operations). S3 Control
// addresses the account as a host label ({account}.s3-control.…); with a
// custom endpoint (sandbox, S3-compatible gateways) the label is dropped
// and the account travels only in the x-amz-account-id header, since
// account subdomains of a loopback address do not resolve — the same
// reason S3 uses path-style addressing there.
func S3Control(cfg aws.Config) *s3control.Client {
	return s3control.NewFromConfig(cfg, func(o *s3control.Options) {
		if cfg.BaseEndpoint != nil {
			o.EndpointResolverV2 = accountLabelDropped{next: s3control.NewDefaultEndpointResolverV2()}
		}
	})
}

type accountLabelDropped struct{ next s3control.EndpointResolverV2 }

func (r accountLabelDropped) ResolveEndpoint(ctx context.Context, p s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	ep, err := r.next.ResolveEndpoint(ctx, p)
	if err == nil && p.Endpoint != nil && p.AccountId != nil {
		if h, ok := strings.CutPrefix(ep.URI.Host, *p.AccountId+"."); ok {
			ep.URI.Host = h
		}
	}
	return ep, err
}
