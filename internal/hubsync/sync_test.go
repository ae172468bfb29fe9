package hubsync

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/securityhubsvc"
)

const (
	dev    = "222222222222"
	prod   = "333333333333"
	region = "eu-west-1"
)

var scanTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type hub struct {
	srv *sandbox.Server
	url string
}

func newHub(t *testing.T) *hub {
	t.Helper()
	s, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := securityhubsvc.New(s.Env)
	s.Register(v)
	s.Faults.Register(v.SigningName(), nil, securityhubsvc.ThrottleError)
	for _, a := range []string{dev, prod} {
		if _, err := s.AddAccount(a); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &hub{srv: s, url: ts.URL}
}

func (h *hub) client(account string) *securityhub.Client {
	akid, secret := sandbox.AccountKeys(account)
	return securityhub.New(securityhub.Options{Region: region, BaseEndpoint: aws.String(h.url),
		Credentials: credentials.NewStaticCredentialsProvider(akid, secret, "")})
}

func (h *hub) clients(account, _ string) API { return h.client(account) }

// state lists the byok findings of account by RecordState.
func (h *hub) state(t *testing.T, account string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	p := securityhub.NewGetFindingsPaginator(h.client(account), &securityhub.GetFindingsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Findings {
			out[string(f.RecordState)] = append(out[string(f.RecordState)], aws.ToString(f.Resources[0].Id))
		}
	}
	for _, ids := range out {
		slices.Sort(ids)
	}
	return out
}

func bucketResult(account, name string, v compliance.Verdict) compliance.Result {
	r := compliance.Result{Resource: compliance.Resource{Type: compliance.S3Bucket, ID: name, Name: name, ARN: "arn:aws:s3:::" + name,
		Account: account, Region: region, Encryption: compliance.EncryptionNone}, Verdict: v, Reason: compliance.ReasonUnencrypted, Detail: "d"}
	switch v {
	case compliance.Compliant:
		r.Reason = compliance.ReasonCompliant
	case compliance.Exempted:
		r.Exception = &estate.Exception{Pattern: r.Resource.ARN, Reason: "r", Approver: "a", Expires: scanTime}
	}
	return r
}

func rep(errs []report.ScanError, results ...compliance.Result) report.Report {
	return report.Report{Meta: report.Meta{ScanTime: scanTime, Accounts: []string{dev, prod}, Regions: []string{region}, Errors: errs},
		Results: results}
}

func sync(t *testing.T, h *hub, r report.Report, want Result) {
	t.Helper()
	got, err := Sync(context.Background(), h.clients, r)
	if err != nil {
		t.Fatal(err)
	}
	if got.Imported != want.Imported || got.Archived != want.Archived || len(got.Failed) != len(want.Failed) {
		t.Fatalf("sync: %+v, want %+v", got, want)
	}
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s: %q, want %q", what, got, want)
	}
}

// Only NON_COMPLIANT resources become ACTIVE findings; a later scan
// archives those that were fixed, exempted or deleted, and leaves alone
// what it could not read.
func TestSyncImportsAndArchives(t *testing.T) {
	h := newHub(t)
	sync(t, h, rep(nil,
		bucketResult(dev, "a", compliance.NonCompliant), bucketResult(dev, "b", compliance.NonCompliant),
		bucketResult(dev, "c", compliance.NonCompliant), bucketResult(dev, "d", compliance.NonCompliant),
		bucketResult(dev, "ok", compliance.Compliant), bucketResult(dev, "ex", compliance.Exempted),
		bucketResult(prod, "p", compliance.NonCompliant)), Result{Imported: 5})
	same(t, "dev active", h.state(t, dev)["ACTIVE"], []string{"arn:aws:s3:::a", "arn:aws:s3:::b", "arn:aws:s3:::c", "arn:aws:s3:::d"})
	same(t, "prod active", h.state(t, prod)["ACTIVE"], []string{"arn:aws:s3:::p"})

	unread := bucketResult(dev, "d", compliance.InsufficientData)
	sync(t, h, rep(nil, bucketResult(dev, "a", compliance.NonCompliant), bucketResult(dev, "b", compliance.Compliant),
		bucketResult(dev, "c", compliance.Exempted), unread, bucketResult(prod, "p", compliance.NonCompliant)),
		Result{Imported: 2, Archived: 2})
	same(t, "dev active after fixes", h.state(t, dev)["ACTIVE"], []string{"arn:aws:s3:::a", "arn:aws:s3:::d"})
	same(t, "dev archived", h.state(t, dev)["ARCHIVED"], []string{"arn:aws:s3:::b", "arn:aws:s3:::c"})

	// prod p is gone from the scan: archived, unless prod could not be listed.
	incomplete := []report.ScanError{{Account: prod, Region: region, Service: "s3", Message: "AccessDenied"}}
	sync(t, h, rep(incomplete, bucketResult(dev, "a", compliance.NonCompliant)), Result{Imported: 1, Archived: 1})
	same(t, "prod active while unreadable", h.state(t, prod)["ACTIVE"], []string{"arn:aws:s3:::p"})
	sync(t, h, rep(nil, bucketResult(dev, "a", compliance.NonCompliant)), Result{Imported: 1, Archived: 1})
	same(t, "prod archived when gone", h.state(t, prod)["ARCHIVED"], []string{"arn:aws:s3:::p"})
}

// A finding Security Hub refuses is reported, not counted; the others go.
func TestSyncReportsFailedFindings(t *testing.T) {
	h := newHub(t)
	wrong := func(account, region string) API { return h.client(dev) } // prod's findings sent from dev
	got, err := Sync(context.Background(), wrong, rep(nil, bucketResult(dev, "a", compliance.NonCompliant), bucketResult(prod, "p", compliance.NonCompliant)))
	if err != nil {
		t.Fatal(err)
	}
	if got.Imported != 1 || len(got.Failed) != 1 || got.Failed[0].Code != "AccessDeniedException" || got.Failed[0].Account != prod {
		t.Fatalf("result %+v", got)
	}
}

// More than 100 findings go in batches of 100; throttled calls are retried.
func TestSyncBatchesAndThrottling(t *testing.T) {
	h := newHub(t)
	h.srv.Faults.SetRules([]faults.Rule{{Service: "securityhub", Operation: "BatchImportFindings", Code: "LimitExceededException", Status: 429, Count: 1}})
	var results []compliance.Result
	for i := range 250 {
		results = append(results, bucketResult(dev, "b"+string(rune('a'+i/26))+string(rune('a'+i%26)), compliance.NonCompliant))
	}
	sync(t, h, rep(nil, results...), Result{Imported: 250})
	if got := len(h.state(t, dev)["ACTIVE"]); got != 250 {
		t.Fatalf("%d active findings, want 250", got)
	}
	// 3 batches (100, 100, 50) and the one throttled call sent again.
	if got := h.srv.Counters.Get(dev, "securityhub", "BatchImportFindings"); got != 4 {
		t.Fatalf("%d BatchImportFindings calls, want 4", got)
	}
}

func TestRetryable(t *testing.T) {
	for code, want := range map[string]bool{"LimitExceededException": true, "ThrottlingException": true, "InternalException": true,
		"InvalidInput": false, "AccessDeniedException": false, "": false} {
		if retryable(code) != want {
			t.Errorf("retryable(%q) = %v", code, !want)
		}
	}
}
