package rotation

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/store"
)

// verifyReimport checks that the material no longer expires in the
// primary and every replica, that the key is Enabled, and that a fresh
// encrypt/decrypt through the alias works from every account.
func (e *Engine) verifyReimport(ctx context.Context, p Plan, materialID string) ReimportVerification {
	v := ReimportVerification{NoExpiry: true, At: time.Now().UTC()}
	targets := map[string]string{p.Key.Region: p.Status.ARN}
	for _, region := range p.Key.Replicas {
		targets[region] = replicaARN(p.Status.ARN, region)
	}
	for region, arn := range targets {
		st, err := Inspect(ctx, e.securityKMS(region), arn)
		m, ok := materialByID(st, materialID)
		if err != nil || !ok || m.ValidTo != nil {
			v.NoExpiry = false
		}
		if arn == p.Status.ARN {
			v.KeyState = string(st.State)
		}
	}
	accounts := []string{e.Estate.SecurityAccount}
	if p.Key.Consumer != "" && p.Key.Consumer != e.Estate.SecurityAccount {
		accounts = append(accounts, p.Key.Consumer)
	}
	for _, acct := range accounts {
		v.Accounts = append(v.Accounts, roundTrip(ctx, e.Clients.Crypto(acct, p.Key.Region), acct, p.Key.AliasARN()))
	}
	return v
}

// reimportContext marks the verification round trip in CloudTrail.
var reimportContext = map[string]string{"byok:purpose": "reimport-check"}

// roundTrip encrypts fresh test data through the alias and decrypts it.
func roundTrip(ctx context.Context, k CryptoKMS, account, aliasARN string) AccountCheck {
	c := AccountCheck{Account: account}
	pt := canaryPlaintext(store.RunID("reimport"), account+":"+aliasARN)
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(aliasARN), Plaintext: pt, EncryptionContext: reimportContext})
	if err != nil {
		c.Error, c.Call = err.Error(), "Encrypt (fresh)"
		return c
	}
	c.EncryptedUnder = aws.ToString(enc.KeyId)
	dec, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: reimportContext})
	if err != nil {
		c.Error, c.Call = err.Error(), "Decrypt (fresh)"
		return c
	}
	c.FreshRoundTrip = bytes.Equal(dec.Plaintext, pt)
	return c
}

// recordReimport appends the re-import's audit entry: old and new
// material ID are the same material, now without expiry.
func (e *Engine) recordReimport(ctx context.Context, id store.RunID, changeRef string, r ReimportResult) error {
	raw, err := json.Marshal(r.Verification)
	if err != nil {
		return err
	}
	return e.Audit.Record(ctx, AuditRecord{RunID: id, Operator: e.Operator, ChangeRef: changeRef, KeyARN: r.KeyARN,
		Alias: r.Alias, Strategy: StrategyReimport, OldMaterialID: r.MaterialID, NewMaterialID: r.MaterialID,
		BlobSHA256: r.BlobSHA256, Verification: raw})
}

func (e *Engine) reimportProgress(p Plan, id store.RunID, step store.Step, err error) {
	if e.Progress == nil {
		return
	}
	ph := store.PhaseEnd
	if err != nil {
		ph = store.PhaseFail
	}
	e.Progress(Progress{RunID: id, KeyARN: p.Status.ARN, Alias: p.Key.Alias, Step: step, Phase: ph, Err: err})
}
