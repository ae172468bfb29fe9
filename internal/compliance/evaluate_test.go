package compliance

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/estate"
)

type evalCase struct {
	res       Resource
	facts     func(testing.TB, *Index)
	estate    func(*estate.Estate)
	now       time.Time // testNow when zero
	verdict   Verdict
	reason    Reason
	keyARN    string // checked when set
	detailHas string // checked when set
	nilFacts  bool
}

func setState(state string) func(*KeyFacts) { return func(f *KeyFacts) { f.State = state } }

func expiringAt(at time.Time, state string) func(*KeyFacts) {
	return func(f *KeyFacts) {
		f.Materials = append([]Material(nil), f.Materials...)
		f.Materials = append(f.Materials, Material{ID: "m-exp", State: state, ValidTo: ptr(at), Since: testNow.Add(-200 * day)})
	}
}

func currentSince(at time.Time) func(*KeyFacts) { return func(f *KeyFacts) { f.CurrentSince = at } }

var (
	prodS3ARN  = secARN(primary, idProdS3)
	prodRDSARN = secARN(primary, idProdRDS)
	devS3ARN   = secARN(primary, idDevS3)
)

// scopeAndEncryptionCases cover rules 1–4.
var scopeAndEncryptionCases = map[string]evalCase{
	"deleted resource": {res: func() Resource {
		r := bucket(prodAcct, primary, "")
		r.Encryption = EncryptionNone
		r.Deleted = true
		return r
	}(),
		verdict: NotApplicable, reason: ReasonResourceDeleted},
	"unsupported type": {res: Resource{Type: "AWS::EC2::Volume", ID: "vol-1", Account: prodAcct, Region: primary, Encryption: EncryptionKMS, KeyRef: prodS3ARN},
		verdict: NotApplicable, reason: ReasonUnsupportedType},
	"account outside estate": {res: bucket(strayAcc, primary, prodS3ARN), verdict: NotApplicable, reason: ReasonOutsideEstate},
	"service outside estate": {res: table(prodAcct, primary, secARN(primary, idProdDDB)),
		estate:  func(e *estate.Estate) { e.Services = []estate.Service{estate.ServiceS3, estate.ServiceRDS} },
		verdict: NotApplicable, reason: ReasonServiceOutsideEstate},
	"unencrypted rds": {res: func() Resource { r := db(prodAcct, primary, ""); r.Encryption = EncryptionNone; return r }(),
		verdict: NonCompliant, reason: ReasonUnencrypted, detailHas: "alias/prod/rds"},
	"sse-s3 bucket": {res: func() Resource { r := bucket(prodAcct, primary, ""); r.Encryption = EncryptionSSES3; return r }(),
		verdict: NonCompliant, reason: ReasonNotKMS, detailHas: "AES256"},
	"aws owned dynamodb key": {res: func() Resource { r := table(devAcct, primary, ""); r.Encryption = EncryptionAWSOwned; return r }(),
		verdict: NonCompliant, reason: ReasonNotKMS},
	"encryption unreadable": {res: func() Resource { r := bucket(prodAcct, primary, ""); r.Encryption = EncryptionUnknown; return r }(),
		verdict: InsufficientData, reason: ReasonEncryptionUnreadable},
}

// referenceCases cover rules 5–8 and every key reference form.
var referenceCases = map[string]evalCase{
	"kms without key is aws/s3": {res: bucket(prodAcct, primary, ""), verdict: NonCompliant, reason: ReasonAWSManagedKey, detailHas: "aws/s3"},
	"aws managed alias name":    {res: bucket(prodAcct, primary, "alias/aws/s3"), verdict: NonCompliant, reason: ReasonAWSManagedKey},
	"aws managed alias arn": {res: db(prodAcct, primary, "arn:aws:kms:eu-west-1:333333333333:alias/aws/rds"),
		verdict: NonCompliant, reason: ReasonAWSManagedKey},
	"aws managed key arn known by facts": {res: db(prodAcct, primary, KeyARN("aws", primary, prodAcct, idAWSRDS)),
		verdict: NonCompliant, reason: ReasonAWSManagedKey},
	"aws managed key in security account": {res: bucket(prodAcct, primary, secARN(primary, idStray)),
		facts: withKey(primary, idStray, func(f *KeyFacts) { f.Manager = "AWS" }), verdict: NonCompliant, reason: ReasonAWSManagedKey},
	"malformed reference": {res: bucket(prodAcct, primary, "arn:aws:kms:eu-west-1:1111:key/x"),
		verdict: InsufficientData, reason: ReasonKeyUnreadable, detailHas: "account"},
	"key arn compliant":   {res: bucket(prodAcct, primary, prodS3ARN), verdict: Compliant, reason: ReasonCompliant, keyARN: prodS3ARN},
	"alias arn compliant": {res: bucket(prodAcct, primary, "arn:aws:kms:eu-west-1:111111111111:alias/prod/s3"), verdict: Compliant, reason: ReasonCompliant, keyARN: prodS3ARN},
	"bare estate alias in consumer account": {res: bucket(prodAcct, primary, "alias/prod/s3"),
		verdict: NonCompliant, reason: ReasonAliasInOwnAccount, detailHas: "bare alias alias/prod/s3"},
	"bare estate alias that exists in consumer account": {res: bucket(prodAcct, primary, "alias/prod/s3"),
		facts: func(t testing.TB, x *Index) {
			must(t, x.AddAlias(prodAcct, primary, "alias/prod/s3", KeyARN("aws", primary, prodAcct, idConsumer)))
		},
		verdict: NonCompliant, reason: ReasonAliasInOwnAccount, keyARN: KeyARN("aws", primary, prodAcct, idConsumer), detailHas: "targets"},
	"estate alias arn in consumer account": {res: bucket(prodAcct, primary, "arn:aws:kms:eu-west-1:333333333333:alias/prod/s3"),
		verdict: NonCompliant, reason: ReasonAliasInOwnAccount, detailHas: "alias ARN"},
	"other estate's alias bare in consumer account": {res: bucket(devAcct, primary, "alias/prod/s3"),
		verdict: NonCompliant, reason: ReasonAliasInOwnAccount},
	"non-estate alias in consumer account": {res: bucket(prodAcct, primary, "alias/app-key"), verdict: NonCompliant, reason: ReasonKeyOutsideEstate},
	"non-estate alias in consumer account known to be aws managed": {res: bucket(prodAcct, primary, "alias/app-key"),
		facts: func(t testing.TB, x *Index) {
			must(t, x.AddAlias(prodAcct, primary, "alias/app-key", KeyARN("aws", primary, prodAcct, idAWSRDS)))
		},
		verdict: NonCompliant, reason: ReasonAWSManagedKey},
	"bare key id of estate key resolves in consumer account": {res: bucket(prodAcct, primary, idProdS3),
		verdict: NonCompliant, reason: ReasonKeyOutsideEstate, keyARN: KeyARN("aws", primary, prodAcct, idProdS3), detailHas: "bare key ID"},
	"consumer key arn unknown to facts": {res: db(prodAcct, primary, KeyARN("aws", primary, prodAcct, idConsumer)),
		verdict: NonCompliant, reason: ReasonKeyOutsideEstate},
	"consumer key arn whose facts failed": {res: db(prodAcct, primary, KeyARN("aws", primary, prodAcct, idConsumer)),
		facts: func(t testing.TB, x *Index) {
			must(t, x.Add(KeyFacts{ARN: KeyARN("aws", primary, prodAcct, idConsumer), Err: errors.New("AccessDenied")}))
		},
		verdict: NonCompliant, reason: ReasonKeyOutsideEstate},
	"bare alias on security account resource":  {res: bucket(secAcct, primary, "alias/dev/s3"), verdict: Compliant, reason: ReasonCompliant, keyARN: devS3ARN},
	"bare key id on security account resource": {res: bucket(secAcct, primary, idProdS3), verdict: Compliant, reason: ReasonCompliant, keyARN: prodS3ARN},
	"security key missing from facts": {res: bucket(prodAcct, primary, secARN(primary, idConsumer)),
		verdict: InsufficientData, reason: ReasonKeyUnreadable},
	"security key facts unreadable": {res: db(prodAcct, primary, prodRDSARN),
		facts:   withKey(primary, idProdRDS, func(f *KeyFacts) { f.Err = errors.New("ThrottlingException"); f.CurrentSince = testNow.Add(-900 * day) }),
		verdict: InsufficientData, reason: ReasonKeyUnreadable, detailHas: "ThrottlingException"},
	"estate alias arn missing from facts": {res: bucket(prodAcct, primary, "arn:aws:kms:eu-north-1:111111111111:alias/prod/s3"),
		verdict: InsufficientData, reason: ReasonKeyUnreadable},
	"nil facts": {res: bucket(prodAcct, primary, prodS3ARN), nilFacts: true, verdict: InsufficientData, reason: ReasonKeyUnreadable},
}

func runEvalCases(t *testing.T, cases map[string]evalCase) {
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := testEstate()
			if tc.estate != nil {
				tc.estate(e)
			}
			x := testIndex(t)
			if tc.facts != nil {
				tc.facts(t, x)
			}
			now := tc.now
			if now.IsZero() {
				now = testNow
			}
			var facts Facts = x
			if tc.nilFacts {
				facts = nil
			}
			got := Evaluate(tc.res, facts, e, now)
			checkResult(t, tc, got)
		})
	}
}

func checkResult(t *testing.T, tc evalCase, got Result) {
	t.Helper()
	if got.Verdict != tc.verdict || got.Reason != tc.reason {
		t.Fatalf("got %v/%s, want %v/%s; detail: %s", got.Verdict, got.Reason, tc.verdict, tc.reason, got.Detail)
	}
	if tc.keyARN != "" && got.KeyARN != tc.keyARN {
		t.Errorf("KeyARN = %q, want %q", got.KeyARN, tc.keyARN)
	}
	if tc.detailHas != "" && !strings.Contains(got.Detail, tc.detailHas) {
		t.Errorf("detail %q does not mention %q", got.Detail, tc.detailHas)
	}
	if n := len(got.Detail); n == 0 || n > 256 {
		t.Errorf("detail is %d bytes, want 1–256: %q", n, got.Detail)
	}
	if got.Resource != tc.res {
		t.Errorf("Result.Resource = %+v, want the input %+v", got.Resource, tc.res)
	}
}

func TestEvaluateScopeAndEncryption(t *testing.T) { runEvalCases(t, scopeAndEncryptionCases) }

func TestEvaluateKeyReferences(t *testing.T) { runEvalCases(t, referenceCases) }
