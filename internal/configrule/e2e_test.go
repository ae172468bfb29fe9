package configrule_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	ctypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/configrule"
	"github.com/byok-dev/byok/internal/conformance/backend"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/sandbox/configsvc"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/scan"
)

const (
	e2eRule      = "byok-key-rotation"
	estateBucket = "byok-config-estate-111111111111"
	estateKey    = "estate/byok.yaml"
	memberRole   = "byok-config-rule-member"
)

// world is the seeded sandbox with the rule deployed: the member role in
// each consumer account, the estate in S3 in the Security account, and the
// production handler running with the Security account's credentials.
// Everything the tests read or change goes through public APIs (w.cfg);
// what only a sandbox can do (seed, issue events, count calls, inject
// faults, tell its clock) goes through w.sb, which newWorld obtains with
// backend.RequireSandbox.
type world struct {
	be  *backend.Backend
	sb  *sandboxrun.Sandbox
	est *estate.Estate
	h   *configrule.Handler
	fn  aws.Config // the function's configuration, for a fresh handler
}

// whySandbox is why the end-to-end tests skip on AWS.
const whySandbox = "the demo estate (keys with a year of material history, resources in three accounts) is seeded, " +
	"and Config events with result tokens come from the sandbox's admin API; on AWS they exist only inside a deployed rule's invocations"

// eachWorld runs body on the seeded sandbox and, when enabled, on AWS,
// where it is skipped (whySandbox).
func eachWorld(t *testing.T, body func(t *testing.T, w *world)) {
	t.Helper()
	backend.Each(t, func(t *testing.T, be *backend.Backend) { body(t, newWorld(t, be)) }, backend.Options{Seeded: true})
}

func newWorld(t *testing.T, be *backend.Backend) *world {
	t.Helper()
	sb := be.RequireSandbox(t, whySandbox)
	est, err := estate.Parse("byok.yaml", estate.ExampleYAML())
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range est.Environments {
		err := sb.AddRole(identity.Role{ARN: roleARN(env.Account), Account: env.Account, Name: memberRole,
			Trusted: []string{"arn:aws:iam::" + est.SecurityAccount + ":root"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	w := &world{be: be, sb: sb, est: est}
	putEstate(t, w.cfg(t, est.SecurityAccount), estate.ExampleYAML())
	// The function's own transport, closed before the sandbox shuts down:
	// reads abandoned when a test ends ctx may leave freshly dialed
	// connections that the server would otherwise wait on.
	fn := w.cfg(t, est.SecurityAccount)
	tr := awshttp.NewBuildableClient().GetTransport()
	fn.HTTPClient = &http.Client{Transport: tr}
	t.Cleanup(tr.CloseIdleConnections)
	w.fn = fn
	w.coldStart()
	return w
}

// coldStart gives the world a new handler, as a new Lambda container: no
// cached estate or session credentials (needed after moving the sandbox
// clock past the sessions' expiry).
func (w *world) coldStart() {
	w.h = configrule.NewHandler(w.fn, configrule.Params{}, nil)
	w.h.Now = w.sb.Now
}

// cfg is an SDK configuration acting in account.
func (w *world) cfg(t testing.TB, account string) aws.Config {
	t.Helper()
	return w.be.Config(t, account)
}

func roleARN(account string) string { return "arn:aws:iam::" + account + ":role/" + memberRole }

func putEstate(t *testing.T, cfg aws.Config, body []byte) {
	t.Helper()
	ctx := context.Background()
	c := awsx.S3(cfg)
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(estateBucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(cfg.Region)}})
	var owned *s3types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		t.Fatal(err)
	}
	putObject(t, cfg, estateKey, string(body))
}

func putObject(t *testing.T, cfg aws.Config, key, body string) {
	t.Helper()
	_, err := awsx.S3(cfg).PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(estateBucket), Key: aws.String(key),
		Body: strings.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
}

// events fetches the rule's events through the sandbox's admin endpoint,
// as `byok sandbox config-invoke` does. As in an organization, the events
// carry Config's service-linked role; the executionRoleName parameter
// names the member role deploy/member-account.yaml creates.
func (w *world) events(t *testing.T, account, message, typ, id string) []events.ConfigEvent {
	t.Helper()
	return w.eventsWith(t, configsvc.EventRequest{Account: account, MessageType: message, ResourceType: typ, ResourceID: id,
		RuleParameters: map[string]string{"estateS3Uri": "s3://" + estateBucket + "/" + estateKey, "executionRoleName": memberRole}})
}

// eventsWith fills in the Region and rule of req and fetches its events.
func (w *world) eventsWith(t *testing.T, req configsvc.EventRequest) []events.ConfigEvent {
	t.Helper()
	req.Region, req.RuleName = w.sb.Region(), e2eRule
	evs, err := configsvc.FetchEvents(context.Background(), w.sb.AdminClient(), w.sb.URL(), req)
	if err != nil {
		t.Fatalf("events %+v: %v", req, err)
	}
	return evs
}

// run handles every event, returning the errors by event.
func (w *world) run(t *testing.T, evs []events.ConfigEvent) []error {
	t.Helper()
	var errs []error
	for _, ev := range evs {
		if err := w.h.Handle(context.Background(), ev); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// verdict is one stored evaluation, as GetComplianceDetailsByConfigRule
// returns it.
type verdict struct {
	compliance string
	reason     string
}

// stored reads the rule's results in account, by "type/id".
func (w *world) stored(t *testing.T, account string) map[string]verdict {
	t.Helper()
	c := configservice.NewFromConfig(w.cfg(t, account))
	p := configservice.NewGetComplianceDetailsByConfigRulePaginator(c, &configservice.GetComplianceDetailsByConfigRuleInput{
		ConfigRuleName: aws.String(e2eRule), Limit: 100})
	out := map[string]verdict{}
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.EvaluationResults {
			q := r.EvaluationResultIdentifier.EvaluationResultQualifier
			reason, _, _ := strings.Cut(aws.ToString(r.Annotation), ":")
			out[aws.ToString(q.ResourceType)+"/"+aws.ToString(q.ResourceId)] = verdict{string(r.ComplianceType), reason}
		}
	}
	return out
}

func ref(r compliance.Resource) string { return string(r.Type) + "/" + r.ID }

var sendable = map[compliance.Verdict]ctypes.ComplianceType{
	compliance.Compliant: ctypes.ComplianceTypeCompliant, compliance.NonCompliant: ctypes.ComplianceTypeNonCompliant,
	compliance.NotApplicable: ctypes.ComplianceTypeNotApplicable,
}

// undecidedRefs collects the resources the handler reported as undecided;
// any other error fails the test.
func undecidedRefs(t *testing.T, errs []error) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, err := range errs {
		var u *configrule.UndecidedError
		if !errors.As(err, &u) {
			t.Fatalf("handler: %v", err)
		}
		for _, r := range u.Resources {
			out[r.String()] = true
		}
	}
	return out
}

// agree checks that Config holds, for every resource scan reports in
// account, the verdict and reason scan gives, and nothing scan does not
// know but NOT_APPLICABLE for deleted resources. INSUFFICIENT_DATA is never
// sent (PutEvaluations rejects it): such resources must have no result
// and must be named in the handler's UndecidedError, so Config retries.
func (w *world) agree(t *testing.T, account string, rep report.Report, undecided map[string]bool) {
	t.Helper()
	got := w.stored(t, account)
	seen := map[string]bool{}
	for _, r := range rep.Results {
		if r.Resource.Account != account {
			continue
		}
		k := ref(r.Resource)
		seen[k] = true
		want, ok := sendable[r.Verdict]
		if !ok {
			if _, stored := got[k]; stored || !undecided[k] {
				t.Errorf("%s: scan says %s; Config has %+v, undecided=%v (want no result, reported undecided)", k, r.Verdict, got[k], undecided[k])
			}
			continue
		}
		if g := got[k]; g.compliance != string(want) || g.reason != string(r.Reason) {
			t.Errorf("%s: Config %+v, scan %s %s", k, g, r.Verdict, r.Reason)
		}
	}
	for k, g := range got {
		if !seen[k] && (g.compliance != string(ctypes.ComplianceTypeNotApplicable) || g.reason != string(compliance.ReasonResourceDeleted)) {
			t.Errorf("%s: Config has %+v for a resource scan does not report", k, g)
		}
	}
}

func (w *world) consumers() []string {
	var out []string
	for _, env := range w.est.Environments {
		out = append(out, env.Account)
	}
	return out
}

// Every consumer account: change, oversized and scheduled events for every
// resource through the handler; Config's results then agree with scan.
func TestE2EConfigAgreesWithScan(t *testing.T) {
	eachWorld(t, testConfigAgreesWithScan)
}

func testConfigAgreesWithScan(t *testing.T, w *world) {
	rep := w.scan(t)
	if len(rep.Results) < 10 || scan.NonCompliant(rep) == 0 {
		t.Fatalf("demo estate scan: %d results, %d non-compliant", len(rep.Results), scan.NonCompliant(rep))
	}
	for _, account := range w.consumers() {
		evs := w.events(t, account, "change", "", "")
		if len(evs) < 5 {
			t.Fatalf("%s: %d change events", account, len(evs))
		}
		// Oversized notifications make the handler fetch the item with
		// GetResourceConfigHistory; each invocation reads the estate keys
		// (ListKeyRotations is paced at 5/s), so one type is enough here.
		evs = append(evs, w.events(t, account, "oversized", "AWS::RDS::DBInstance", "")...)
		evs = append(evs, w.events(t, account, "scheduled", "", "")...)
		errs := w.run(t, evs)
		w.agree(t, account, rep, undecidedRefs(t, errs))
	}
}
