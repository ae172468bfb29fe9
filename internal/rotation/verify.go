package rotation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/store"
)

// ErrVerification means the key does not work as it must after rotation.
var ErrVerification = errors.New("verification failed")

// AccountCheck is the verification result from one account.
type AccountCheck struct {
	Account        string `json:"account"`
	OldCanaryOK    bool   `json:"old_canary_decrypts"`
	FreshRoundTrip bool   `json:"fresh_round_trip"`
	EncryptedUnder string `json:"encrypted_under,omitempty"` // key ARN Encrypt reported
	Error          string `json:"error,omitempty"`
	Call           string `json:"call,omitempty"` // the call that failed
}

// Verification is the verify step's result, journaled and audited.
type Verification struct {
	Accounts        []AccountCheck `json:"accounts"`
	MaterialChanged bool           `json:"material_changed"`
	AliasTarget     string         `json:"alias_target,omitempty"`
	At              time.Time      `json:"at"`
}

// OK reports whether every check passed.
func (v Verification) OK() bool {
	for _, a := range v.Accounts {
		if !a.OldCanaryOK || !a.FreshRoundTrip {
			return false
		}
	}
	return v.MaterialChanged
}

func (j *keyJob) accounts() []string {
	out := []string{j.e.Estate.SecurityAccount}
	if j.key.Consumer != "" && j.key.Consumer != j.e.Estate.SecurityAccount {
		out = append(out, j.key.Consumer)
	}
	return out
}

func canaryContext(runID store.RunID) map[string]string {
	return map[string]string{"byok:purpose": "rotation-canary", "byok:run": runID.String()}
}

// canaryPlaintext is derived, not stored: it is test data, not a secret,
// and a resumed run must know what the canary should decrypt to.
func canaryPlaintext(runID store.RunID, account string) []byte {
	h := sha256.Sum256([]byte("byok-canary:" + runID.String() + ":" + account))
	return h[:]
}

// canaries encrypts one canary per account through the alias ARN, as
// consumers reach the key.
func (j *keyJob) canaries(ctx context.Context) error {
	for _, acct := range j.accounts() {
		out, err := j.e.Clients.Crypto(acct, j.key.Region).Encrypt(ctx, &kms.EncryptInput{
			KeyId: aws.String(j.key.AliasARN()), Plaintext: canaryPlaintext(j.run.ID, acct),
			EncryptionContext: canaryContext(j.run.ID)})
		if err != nil {
			return &accountError{Account: acct, Call: "Encrypt", Err: err}
		}
		c := store.Canary{Account: acct, Region: j.key.Region, Ciphertext: out.CiphertextBlob, Created: time.Now()}
		if err := j.e.Store.PutCanary(ctx, j.run.ID, j.rk.KeyARN, c); err != nil {
			return err
		}
	}
	return nil
}

// accountError is a KMS call that failed from one account.
type accountError struct {
	Account string
	Call    string
	Err     error
}

func (e *accountError) Error() string {
	return fmt.Sprintf("%s from account %s: %v", e.Call, e.Account, e.Err)
}

func (e *accountError) Unwrap() error { return e.Err }

func (j *keyJob) verifyStep(ctx context.Context) error {
	if err := j.waitAliasOnNewKey(ctx); err != nil {
		return err
	}
	rk, err := j.e.Store.GetRunKey(ctx, j.run.ID, j.rk.KeyARN)
	if err != nil {
		return err
	}
	v := j.checkAll(ctx, rk.Canaries)
	j.verify = &v
	raw, _ := json.Marshal(v)
	j.rk.Verification = raw
	if err := j.save(ctx); err != nil {
		return err
	}
	return verificationError(v)
}

// checkAll checks every account and the key's material (or alias target)
// at once: each check is a few sequential calls of its own, and a key's
// rotation slot is held until they all answer.
func (j *keyJob) checkAll(ctx context.Context, canaries []store.Canary) Verification {
	accts := j.accounts()
	v := Verification{At: time.Now().UTC(), Accounts: make([]AccountCheck, len(accts))}
	var wg sync.WaitGroup
	for i, acct := range accts {
		wg.Go(func() { v.Accounts[i] = j.checkAccount(ctx, acct, canaries) })
	}
	v.MaterialChanged, v.AliasTarget = j.changedAsPlanned(ctx)
	wg.Wait()
	return v
}

func verificationError(v Verification) error {
	for _, a := range v.Accounts {
		if a.Error != "" {
			return &accountError{Account: a.Account, Call: a.Call, Err: fmt.Errorf("%w: %s", ErrVerification, a.Error)}
		}
	}
	if !v.MaterialChanged {
		return fmt.Errorf("%w: the key does not use the new material (or the alias does not target the new key)", ErrVerification)
	}
	return nil
}

func (j *keyJob) checkAccount(ctx context.Context, acct string, canaries []store.Canary) AccountCheck {
	c := AccountCheck{Account: acct}
	k := j.e.Clients.Crypto(acct, j.key.Region)
	for _, cn := range canaries {
		if cn.Account != acct {
			continue
		}
		out, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: cn.Ciphertext, EncryptionContext: canaryContext(j.run.ID)})
		if err != nil {
			c.Error, c.Call = err.Error(), "Decrypt (old canary)"
			return c
		}
		c.OldCanaryOK = bytes.Equal(out.Plaintext, canaryPlaintext(j.run.ID, acct))
	}
	fresh := canaryPlaintext(j.run.ID, acct+":fresh")
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(j.key.AliasARN()), Plaintext: fresh, EncryptionContext: canaryContext(j.run.ID)})
	if err != nil {
		c.Error, c.Call = err.Error(), "Encrypt (fresh)"
		return c
	}
	c.EncryptedUnder = aws.ToString(enc.KeyId)
	dec, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: canaryContext(j.run.ID)})
	if err != nil {
		c.Error, c.Call = err.Error(), "Decrypt (fresh)"
		return c
	}
	c.FreshRoundTrip = bytes.Equal(dec.Plaintext, fresh)
	return c
}

// changedAsPlanned checks CurrentKeyMaterialId (in place) or the alias
// target (new key).
func (j *keyJob) changedAsPlanned(ctx context.Context) (bool, string) {
	d, err := j.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(j.key.AliasARN())})
	if err != nil {
		return false, ""
	}
	target := aws.ToString(d.KeyMetadata.Arn)
	if j.strategy() == NewKey {
		return aws.ToString(d.KeyMetadata.KeyId) == keyIDOf(j.rk.NewKeyID), target
	}
	if aws.ToString(d.KeyMetadata.CurrentKeyMaterialId) != j.rk.NewMaterialID {
		return false, target
	}
	lag, err := j.replicaLagging(ctx)
	return err == nil && lag == "", target
}
