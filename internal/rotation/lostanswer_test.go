package rotation_test

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// lostAnswers is a proxy in front of the sandbox that forwards every call
// and, for the named KMS operations, with probability p throws the real
// answer away and returns a 500: the call took effect, its answer was
// lost (what a real network does). The SDK then retries or fails.
type lostAnswers struct {
	ops  map[string]bool
	p    float64
	mu   sync.Mutex
	rng  *rand.Rand
	lost map[string]int
}

func (l *lostAnswers) handler(target *url.URL) http.Handler {
	rp := httputil.NewSingleHostReverseProxy(target)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
		if !l.ops[op] || !l.roll(op) {
			rp.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		rp.ServeHTTP(rec, r) // the call takes effect
		_, _ = io.Copy(io.Discard, rec.Result().Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"__type":"KMSInternalException","message":"answer lost by the test proxy"}`))
	})
}

func (l *lostAnswers) roll(op string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rng.Float64() >= l.p {
		return false
	}
	l.lost[op]++
	return true
}

// proxied points the world's engine at a lost-answer proxy; the test's
// admin clients still reach the sandbox directly.
func (w *world) proxied(t *testing.T, l *lostAnswers) {
	t.Helper()
	target, err := url.Parse(w.sb.URL())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(l.handler(target))
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	base, err := awsx.Load(context.Background(), w.est.PrimaryRegion())
	if err != nil {
		t.Fatal(err)
	}
	w.accts = awsx.NewAccounts(base, w.est.SecurityAccount, w.est.Roles.Operator, w.est.Roles.Verify)
	w.eng = w.engine(t)
}

// TestLostAnswers: with the answers of ImportKeyMaterial,
// RotateKeyOnDemand, CreateKey, UpdateAlias and TagResource lost half of
// the time, every rotation of either strategy ends correct with no resume
// or one: the key rotated once (one new material; new-key: the alias on
// the one key the run created, no stray byok:run key), one audit entry,
// the run succeeded.
func TestLostAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("20 rotations per strategy: skipped with -short")
	}
	for _, strategy := range []estate.Strategy{estate.StrategyInPlace, estate.StrategyNewKey} {
		t.Run(string(strategy), func(t *testing.T) {
			w := newWorld(t, true)
			seedN := uint64(time.Now().UnixNano())
			t.Logf("lost answers drawn from seed %d", seedN)
			l := &lostAnswers{p: 0.5, rng: rand.New(rand.NewPCG(seedN, 1)), lost: map[string]int{},
				ops: map[string]bool{"ImportKeyMaterial": true, "RotateKeyOnDemand": true, "CreateKey": true, "UpdateAlias": true, "TagResource": true}}
			w.proxied(t, l)
			keys := singleRegionKeys(w)
			for i := 0; i < 20; i++ {
				w.rotateThroughLostAnswers(t, keys[i%len(keys)], strategy)
			}
			t.Logf("answers lost: %v", l.lost)
		})
	}
}

func singleRegionKeys(w *world) []estate.Key {
	var out []estate.Key
	for _, k := range w.est.Keys() {
		if len(k.Replicas) == 0 && k.Region == w.est.PrimaryRegion() {
			out = append(out, k)
		}
	}
	return out
}

func (w *world) rotateThroughLostAnswers(t *testing.T, k estate.Key, strategy estate.Strategy) {
	t.Helper()
	ctx := context.Background()
	before := w.describe(t, k.AliasARN(), k.Region)
	mats := len(w.materials(t, aws.ToString(before.Arn), k.Region))
	id, err := w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{k}, Strategy: strategy, ChangeRef: "CHG-lost"})
	if err != nil {
		if id == "" {
			t.Fatalf("%s: Start: %v", k.Alias, err)
		}
		if rerr := w.eng.Resume(ctx, id); rerr != nil {
			t.Fatalf("%s: run %s failed (%v) and its one resume failed: %v\n%s", k.Alias, id, err, rerr, w.logs.String())
		}
	}
	after := w.describe(t, k.AliasARN(), k.Region)
	switch strategy {
	case estate.StrategyInPlace:
		if n := len(w.materials(t, aws.ToString(after.Arn), k.Region)); n != mats+1 || aws.ToString(after.CurrentKeyMaterialId) == aws.ToString(before.CurrentKeyMaterialId) {
			t.Errorf("%s run %s: %d → %d materials, current %s → %s", k.Alias, id, mats, n,
				aws.ToString(before.CurrentKeyMaterialId), aws.ToString(after.CurrentKeyMaterialId))
		}
	case estate.StrategyNewKey:
		created := w.keysTaggedWithRun(t, id)
		if len(created) != 1 || created[0] != aws.ToString(after.Arn) {
			t.Errorf("%s run %s: keys tagged with the run %v, alias on %s (want exactly one, the alias's)", k.Alias, id, created, aws.ToString(after.Arn))
		}
	}
	w.checkRunAudit(t, id)
}

// keysTaggedWithRun lists the Security account's keys tagged byok:run=id.
func (w *world) keysTaggedWithRun(t *testing.T, id store.RunID) []string {
	t.Helper()
	ctx := context.Background()
	c := w.admin(w.est.SecurityAccount, w.est.PrimaryRegion())
	var out []string
	p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range page.Keys {
			tags, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: k.KeyId})
			if err != nil {
				t.Fatal(err)
			}
			for _, tag := range tags.Tags {
				if aws.ToString(tag.TagKey) == rotation.TagRun && aws.ToString(tag.TagValue) == id.String() {
					out = append(out, aws.ToString(k.KeyArn))
				}
			}
		}
	}
	return out
}

// checkRunAudit: the run succeeded with exactly one audit entry.
func (w *world) checkRunAudit(t *testing.T, id store.RunID) {
	t.Helper()
	ctx := context.Background()
	run, err := w.st.GetRun(ctx, id)
	es, lerr := w.log.List(ctx)
	n := 0
	for _, e := range es {
		if e.RunID == id.String() {
			n++
		}
	}
	if err != nil || lerr != nil || run.Status != store.StatusSucceeded || n != 1 {
		t.Errorf("run %s: %v (%s), %d audit entries (%v %v)", id, run.Status, run.Error, n, err, lerr)
	}
}
