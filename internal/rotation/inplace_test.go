package rotation_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// keyBefore is what the test records of a key before rotating it.
type keyBefore struct {
	key       estate.Key
	arn       string
	current   string
	onDemand  int
	materials int
	canary    []byte // encrypted from the consumer account through the alias
}

func onDemandCount(rs []types.RotationsListEntry) int {
	n := 0
	for _, r := range rs {
		if r.RotationType == types.RotationTypeOnDemand {
			n++
		}
	}
	return n
}

func (w *world) recordBefore(t *testing.T, keys []estate.Key) map[string]*keyBefore {
	t.Helper()
	out := map[string]*keyBefore{}
	for _, k := range keys {
		md := w.describe(t, k.AliasARN(), k.Region)
		rs := w.materials(t, aws.ToString(md.Arn), k.Region)
		enc, err := w.consumer(k.Consumer).Encrypt(context.Background(), &kms.EncryptInput{
			KeyId: aws.String(k.AliasARN()), Plaintext: []byte("canary " + k.Alias)})
		if err != nil {
			t.Fatalf("canary of %s from %s: %v", k.Alias, k.Consumer, err)
		}
		out[k.Alias] = &keyBefore{key: k, arn: aws.ToString(md.Arn), current: aws.ToString(md.CurrentKeyMaterialId),
			onDemand: onDemandCount(rs), materials: len(rs), canary: enc.CiphertextBlob}
	}
	return out
}

// TestInPlaceEveryKeyUnderLoad rotates every key of the example estate in
// place while applications in dev and prod keep encrypting and decrypting
// through the aliases, then checks KMS, the tags, the audit chain and that
// neither the PIN nor the key material leaked into the state or the logs.
func TestInPlaceEveryKeyUnderLoad(t *testing.T) {
	w := newWorld(t, true)
	ctx := context.Background()
	keys := w.est.Keys()
	before := w.recordBefore(t, keys)
	var targets []loadTarget
	for _, k := range keys {
		targets = append(targets, loadTarget{client: w.consumer(k.Consumer), aliasARN: k.AliasARN(), account: k.Consumer})
	}
	g := &loadGen{}
	loadCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); g.run(loadCtx, targets, 100*time.Millisecond) }()
	time.Sleep(time.Second)
	bCalls, bFail, bP50, bP99 := g.snapshot()

	t0 := time.Now()
	id, err := w.eng.Start(ctx, rotation.Request{Keys: keys, Strategy: estate.StrategyInPlace, ChangeRef: "CHG-4711"})
	took := time.Since(t0)
	time.Sleep(500 * time.Millisecond)
	stop()
	<-done
	calls, failures, p50, p99 := g.snapshot()
	if err != nil {
		t.Fatalf("rotate: %v\nlogs:\n%s", err, w.logs)
	}
	t.Logf("rotated %d keys in %v; load before: %d calls p50 %v p99 %v; during: %d calls p50 %v p99 %v",
		len(keys), took, bCalls, bP50, bP99, calls, p50, p99)
	if len(bFail)+len(failures) > 0 || calls == 0 {
		t.Fatalf("zero downtime broken: %d calls during rotation, failures: %q %q", calls, bFail, failures)
	}
	for _, b := range before {
		w.checkRotated(t, id, b)
	}
	w.checkRun(t, id, len(keys))
	if os.Getenv("BYOK_TEST_LOGS") != "" {
		t.Log(w.logs)
	}
	t.Run("no secrets in state or logs", func(t *testing.T) { w.checkNoSecrets(t, id, keys) })
}

// checkRotated: one new ON_DEMAND rotation, exactly one CURRENT material
// (the new one, also in every replica), nothing pending, the old canary
// decrypts from the consumer account, and the tags are set.
func (w *world) checkRotated(t *testing.T, id store.RunID, b *keyBefore) {
	t.Helper()
	ctx := context.Background()
	rs := w.materials(t, b.arn, b.key.Region)
	md := w.describe(t, b.arn, b.key.Region)
	cur := aws.ToString(md.CurrentKeyMaterialId)
	if got := onDemandCount(rs); got != b.onDemand+1 || len(rs) != b.materials+1 || cur == b.current {
		t.Errorf("%s: on-demand rotations %d → %d, materials %d → %d, current %s → %s", b.key.Alias, b.onDemand, got, b.materials, len(rs), b.current, cur)
	}
	for _, r := range rs {
		cnt := r.KeyMaterialState == types.KeyMaterialStateCurrent
		if cnt != (aws.ToString(r.KeyMaterialId) == cur) || strings.HasPrefix(string(r.KeyMaterialState), "PENDING") {
			t.Errorf("%s: material %s is %s (current %s)", b.key.Alias, aws.ToString(r.KeyMaterialId), r.KeyMaterialState, cur)
		}
		if aws.ToString(r.KeyMaterialId) == cur && aws.ToString(r.KeyMaterialDescription) != id.String() {
			t.Errorf("%s: new material described %q, want the run ID", b.key.Alias, aws.ToString(r.KeyMaterialDescription))
		}
	}
	for _, region := range b.key.Replicas {
		rarn := strings.Replace(b.arn, ":"+b.key.Region+":", ":"+region+":", 1)
		if rc := aws.ToString(w.describe(t, rarn, region).CurrentKeyMaterialId); rc != cur {
			t.Errorf("%s replica in %s: current %s, want %s", b.key.Alias, region, rc, cur)
		}
	}
	dec, err := w.consumer(b.key.Consumer).Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: b.canary})
	if err != nil || string(dec.Plaintext) != "canary "+b.key.Alias {
		t.Errorf("%s: old canary from %s after rotation: %v", b.key.Alias, b.key.Consumer, err)
	}
	w.checkTags(t, b.arn, b.key.Region, cur)
}

func (w *world) checkTags(t *testing.T, arn, region, material string) {
	t.Helper()
	out, err := w.admin(w.est.SecurityAccount, region).ListResourceTags(context.Background(), &kms.ListResourceTagsInput{KeyId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	for _, tg := range out.Tags {
		tags[aws.ToString(tg.TagKey)] = aws.ToString(tg.TagValue)
	}
	at, err := time.Parse(time.RFC3339, tags[rotation.TagLastRotationDate])
	if tags[rotation.TagLastKeyMaterialID] != material || err != nil || time.Since(at) > 10*time.Minute || at.Location() != time.UTC {
		t.Errorf("%s: tags %v, want %s=%s and a recent UTC %s", arn, tags, rotation.TagLastKeyMaterialID, material, rotation.TagLastRotationDate)
	}
}

// checkRun: the run succeeded, one audit entry per key with the operator
// and the change reference, and the hash chain verifies.
func (w *world) checkRun(t *testing.T, id store.RunID, keys int) {
	t.Helper()
	ctx := context.Background()
	run, err := w.st.GetRun(ctx, id)
	if err != nil || run.Status != store.StatusSucceeded {
		t.Fatalf("run %s: %+v, %v", id, run, err)
	}
	es, err := w.log.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.RunID == id.String() {
			n++
			if !strings.Contains(e.Operator, "byok-operator") || e.ChangeRef != run.ChangeRef || e.NewMaterialID == "" || e.BlobSHA256 == "" {
				t.Errorf("audit entry %+v lacks operator, change ref, material or digest", e)
			}
		}
	}
	rep, err := w.log.Verify(ctx)
	if n != keys || err != nil || !rep.OK() {
		t.Errorf("audit: %d entries for %d keys; verify %+v, %v", n, keys, rep, err)
	}
}

// checkNoSecrets extracts each run key's material from the HSM the way KMS
// receives it (wrapped under an RSA key, here the test's own) and checks
// that neither it nor the PIN appears in the state files or the logs.
func (w *world) checkNoSecrets(t *testing.T, id store.RunID, keys []estate.Key) {
	ctx := context.Background()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	rks, err := w.st.ListRunKeys(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, rk := range rks {
		if len(rk.ImportToken) > 0 || len(rk.PublicKey) > 0 {
			t.Errorf("%s: the state file holds an import token or its public key", rk.KeyARN)
		}
	}
	needles := []string{w.tok.PIN}
	for _, k := range keys {
		obj, err := w.hs.Find(ctx, hsm.LabelPrefix+id.String()+":"+k.Alias)
		if err != nil {
			t.Fatalf("HSM object of %s: %v", k.Alias, err)
		}
		wr, err := w.hs.Wrap(ctx, obj, der, hsm.RSAES_OAEP_SHA_1, 2048)
		if err != nil {
			t.Fatal(err)
		}
		m, err := rsa.DecryptOAEP(sha1.New(), nil, priv, wr.Blob, nil)
		if err != nil || len(m) != 32 {
			t.Fatalf("unwrap test copy of %s: %v", k.Alias, err)
		}
		needles = append(needles, string(m), hex.EncodeToString(m), strings.ToUpper(hex.EncodeToString(m)),
			base64.StdEncoding.EncodeToString(m), base64.RawStdEncoding.EncodeToString(m), base64.RawURLEncoding.EncodeToString(m))
	}
	hay := [][]byte{[]byte(w.logs.String())}
	files, _ := filepath.Glob(w.st.Path() + "*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		hay = append(hay, b)
	}
	if len(files) == 0 || len(w.logs.String()) == 0 {
		t.Fatalf("nothing to search: files %v, %d bytes of logs", files, len(w.logs.String()))
	}
	for _, h := range hay {
		for i, n := range needles {
			if bytes.Contains(h, []byte(n)) {
				t.Errorf("secret %d (0 = PIN, then material encodings) found in state or logs", i)
			}
		}
	}
}
