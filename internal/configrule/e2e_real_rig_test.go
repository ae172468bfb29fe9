package configrule_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/configrule"
	"github.com/byok-dev/byok/internal/conformance/backend"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/sandbox/configsvc"
	"github.com/byok-dev/byok/internal/sandbox/s3svc"
)

// realRig is the estate of TestE2ERuleOnRealResources and
// TestE2ERuleCrossAccount (one imported key behind the estate's S3 alias,
// the estate file in S3) and the buckets they create.
type realRig struct {
	b       *backend.Backend
	est     *estate.Estate
	estURI  string
	key     *string // the estate S3 key's ARN
	scanner scanClients
	buckets map[string]string // name → account
}

// placeholderConsumer stands for the consumer environment on one
// account: an estate needs one, and it may not be the Security account.
// Resources of the Security account may use any environment's key.
const placeholderConsumer = "000000000000"

func newRealRig(t *testing.T, b *backend.Backend) *realRig {
	t.Helper()
	r := &realRig{b: b, scanner: scanClients{t, &world{be: b}}, buckets: map[string]string{}}
	consumer := b.Consumer
	if consumer == b.Security {
		consumer = placeholderConsumer
	}
	body := fmt.Sprintf("security_account: %[1]q\nregions: [%[2]s]\nalias_format: \"alias/%[3]s/{env}/{service}\"\n"+
		"policy: {max_material_age: 365d, expiry_warning: 30d}\nhsm: \"pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:BYOK_HSM_PIN\"\n"+
		"roles: {operator: \"arn:aws:iam::%[1]s:role/byok-operator\", verify: \"arn:aws:iam::{account}:role/byok-verify\"}\n"+
		"environments:\n  conf: {account: %[4]q}\nservices: [s3]\n",
		b.Security, b.Region, b.Unique("estate"), consumer)
	est, err := estate.Parse("conformance.yaml", []byte(body))
	if err != nil {
		t.Fatalf("conformance estate: %v\n%s", err, body)
	}
	r.est = est
	key := b.ImportedKey(t, b.Security)
	r.key = key.Arn
	b.Alias(t, b.Security, est.Alias("conf", estate.ServiceS3), aws.ToString(key.KeyId))
	bucket := b.Unique("estate")
	b.Bucket(t, b.Security, bucket)
	_, err = awsx.S3(b.Config(t, b.Security)).PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(estateKey), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("%s: put estate: %v", b.Name(), err)
	}
	r.estURI = "s3://" + bucket + "/" + estateKey
	return r
}

// bucket creates a bucket in account with default SSE-KMS under keyID
// ("" for the AWS managed key aws/s3) and returns its name.
func (r *realRig) bucket(t *testing.T, account, kind, keyID string) string {
	t.Helper()
	name := r.b.Unique(kind)
	r.b.Bucket(t, account, name)
	r.buckets[name] = account
	def := &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms}
	if keyID != "" {
		def.KMSMasterKeyID = aws.String(keyID)
	}
	_, err := awsx.S3(r.b.Config(t, account)).PutBucketEncryption(context.Background(), &s3.PutBucketEncryptionInput{Bucket: aws.String(name),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: def}}}})
	if err != nil {
		t.Fatalf("%s: put bucket encryption %s: %v", r.b.Name(), name, err)
	}
	return name
}

// sent is one evaluation the handler sent, by resource ID.
type sent struct{ compliance, reason, annotation string }

// invoke hands the production handler, running with the Security
// account's credentials, one TESTMODE change notification per bucket
// (with executionRoleName role unless "") and returns what it sent to
// PutEvaluations, which must all be in TestMode.
func (r *realRig) invoke(t *testing.T, role string, buckets ...string) map[string]sent {
	t.Helper()
	cfg := r.b.Config(t, r.b.Security)
	var puts []*configservice.PutEvaluationsInput
	cfg.APIOptions = append(cfg.APIOptions, capturePuts(&puts))
	h := configrule.NewHandler(cfg, configrule.Params{}, nil)
	for _, name := range buckets {
		if err := h.Handle(context.Background(), r.event(t, r.buckets[name], name, role)); err != nil {
			t.Fatalf("%s: handler on %s: %v", r.b.Name(), name, err)
		}
	}
	out := map[string]sent{}
	for _, p := range puts {
		if !p.TestMode || aws.ToString(p.ResultToken) != configrule.TestModeToken {
			t.Fatalf("%s: PutEvaluations TestMode=%v token %q, want TestMode for %s", r.b.Name(), p.TestMode, aws.ToString(p.ResultToken), configrule.TestModeToken)
		}
		for _, e := range p.Evaluations {
			reason, _, _ := strings.Cut(aws.ToString(e.Annotation), ":")
			out[aws.ToString(e.ComplianceResourceId)] = sent{string(e.ComplianceType), reason, aws.ToString(e.Annotation)}
		}
	}
	return out
}

// event is the change notification Config would send for the bucket as
// S3 describes it now, rendered by the sandbox's event generator.
func (r *realRig) event(t *testing.T, account, name, role string) events.ConfigEvent {
	t.Helper()
	now := time.Now().UTC()
	state := r.bucketState(t, account, name)
	inv := configsvc.ChangeNotification(s3svc.BucketItem(state), configsvc.StatusOK, now, now)
	partition := "aws"
	if p, _, ok := strings.Cut(strings.TrimPrefix(aws.ToString(r.key), "arn:"), ":"); ok {
		partition = p
	}
	rule := "byok-conformance-" + r.b.Run
	params := map[string]string{"estateS3Uri": r.estURI}
	if role != "" {
		params["executionRoleName"] = role
	}
	rp, _ := json.Marshal(params)
	return events.ConfigEvent{AccountID: account, ConfigRuleName: rule,
		ConfigRuleArn:    "arn:" + partition + ":config:" + r.b.Region + ":" + r.b.Security + ":config-rule/" + rule,
		ExecutionRoleArn: "arn:" + partition + ":iam::" + account + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
		InvokingEvent:    inv, ResultToken: configrule.TestModeToken, Version: "1.0", RuleParameters: string(rp)}
}

// bucketState reads what Config would record of the bucket from S3.
func (r *realRig) bucketState(t *testing.T, account, name string) s3svc.BucketState {
	t.Helper()
	ctx := context.Background()
	c := awsx.S3(r.b.Config(t, account))
	st := s3svc.BucketState{Partition: "aws", Account: account, Region: r.b.Region, Name: name}
	enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(name)})
	if err != nil {
		t.Fatalf("%s: get bucket encryption %s: %v", r.b.Name(), name, err)
	}
	for _, rule := range enc.ServerSideEncryptionConfiguration.Rules {
		if d := rule.ApplyServerSideEncryptionByDefault; d != nil {
			st.Encryption = &s3svc.Encryption{Algorithm: string(d.SSEAlgorithm), KMSMasterKeyID: aws.ToString(d.KMSMasterKeyID),
				BucketKeyEnabled: aws.ToBool(rule.BucketKeyEnabled)}
		}
	}
	p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("%s: list buckets: %v", r.b.Name(), err)
		}
		if page.Owner != nil {
			st.OwnerID = aws.ToString(page.Owner.ID)
		}
		for _, bk := range page.Buckets {
			if aws.ToString(bk.Name) == name {
				st.CreatedAt, st.ChangedAt = aws.ToTime(bk.CreationDate), time.Now()
				return st
			}
		}
	}
	t.Fatalf("%s: bucket %s not listed", r.b.Name(), name)
	return st
}

// capturePuts records every PutEvaluations request of the clients built
// from a configuration.
func capturePuts(puts *[]*configservice.PutEvaluationsInput) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("byok-capture-put", func(ctx context.Context, in middleware.InitializeInput,
			next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if p, ok := in.Parameters.(*configservice.PutEvaluationsInput); ok {
				*puts = append(*puts, p)
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
	}
}
