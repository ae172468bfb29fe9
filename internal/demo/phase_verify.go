package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// appRecord is application data a consumer account encrypted under a key
// before the rotation. The plaintext is random demo data, not a secret.
type appRecord struct {
	Account    string
	Plaintext  []byte
	Ciphertext []byte
}

// rotatedKey is a key of the in-place run with its journaled outcome.
type rotatedKey struct {
	key    estate.Key
	rk     store.RunKey
	verify rotation.Verification
}

var appContext = map[string]string{"app": "byok-demo"}

// writeAppData encrypts a record under k's alias from its consumer account,
// as the application there would.
func (s *story) writeAppData(ctx context.Context, k estate.Key) ([]appRecord, error) {
	pt := make([]byte, 32)
	if _, err := rand.Read(pt); err != nil {
		return nil, fmt.Errorf("application data: %w", err)
	}
	out, err := s.w.clients.KMS(k.Consumer, k.Region).Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(k.AliasARN()),
		Plaintext: pt, EncryptionContext: appContext})
	if err != nil {
		return nil, fmt.Errorf("encrypt application data under %s from %s: %w", k.Alias, s.accountName(k.Consumer), err)
	}
	return []appRecord{{Account: k.Consumer, Plaintext: pt, Ciphertext: out.CiphertextBlob}}, nil
}

// verify checks each in-place rotated key from its consumer account.
func (s *story) verify(ctx context.Context) error {
	keys, err := s.loadRotated(ctx)
	if err != nil {
		return err
	}
	var failed int
	for _, rk := range keys {
		proof := KeyProof{Alias: rk.key.Alias, Account: rk.key.Consumer}
		for _, rec := range s.appData[rk.key.Alias] {
			ap := s.checkAccount(ctx, rk, rec)
			proof.Checks = append(proof.Checks, ap)
			if ap.Error != "" || !ap.OldDataDecrypts || !ap.NewDataOnNew || !ap.EngineVerified {
				failed++
				s.out.bad("%-20s from %-5s %s", rk.key.Alias, s.accountName(ap.Account), ap.Error)
				continue
			}
			s.out.ok("%-20s from %-5s old data decrypts (material %s), new data on %s; engine verify passed",
				rk.key.Alias, s.accountName(ap.Account), short(ap.OldMaterialID), short(ap.NewMaterialID))
		}
		s.rep.Verification = append(s.rep.Verification, proof)
	}
	if failed > 0 {
		return fmt.Errorf("%d account checks failed", failed)
	}
	return nil
}

// loadRotated reads the in-place run's keys and their verification.
func (s *story) loadRotated(ctx context.Context) ([]rotatedKey, error) {
	rks, err := s.w.store.ListRunKeys(ctx, s.inPlaceRun)
	if err != nil {
		return nil, err
	}
	var out []rotatedKey
	for _, rk := range rks {
		k, ok := s.dueKey(s.aliasOf(rk.KeyARN))
		if !ok {
			return nil, fmt.Errorf("run key %s is not a due estate key", rk.KeyARN)
		}
		r := rotatedKey{key: k, rk: rk}
		if len(rk.Verification) > 0 {
			if err := json.Unmarshal(rk.Verification, &r.verify); err != nil {
				return nil, fmt.Errorf("journaled verification of %s: %w", k.Alias, err)
			}
		}
		out = append(out, r)
	}
	s.rotatedKeys = out
	return out, nil
}

func (s *story) dueKey(alias string) (estate.Key, bool) {
	for _, k := range s.due {
		if k.Alias == alias {
			return k, true
		}
	}
	return estate.Key{}, false
}

// checkAccount decrypts the record written before the rotation and does a
// fresh round trip, both through the alias ARN from rec's account.
func (s *story) checkAccount(ctx context.Context, rk rotatedKey, rec appRecord) AccountProof {
	ap := AccountProof{Account: rec.Account, EngineVerified: engineVerified(rk.verify, rec.Account)}
	c := s.w.clients.KMS(rec.Account, rk.key.Region)
	old, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: rec.Ciphertext, KeyId: aws.String(rk.key.AliasARN()), EncryptionContext: appContext})
	if err != nil {
		ap.Error = fmt.Sprintf("decrypt data written before the rotation: %v", err)
		return ap
	}
	ap.OldMaterialID = aws.ToString(old.KeyMaterialId)
	ap.OldDataDecrypts = bytes.Equal(old.Plaintext, rec.Plaintext) && ap.OldMaterialID == rk.rk.OldMaterialID
	fresh, err := s.roundTrip(ctx, c, rk.key)
	if err != nil {
		ap.Error = err.Error()
		return ap
	}
	ap.NewMaterialID = fresh
	ap.NewDataOnNew = fresh == rk.rk.NewMaterialID && fresh != rk.rk.OldMaterialID
	if !ap.OldDataDecrypts || !ap.NewDataOnNew {
		ap.Error = fmt.Sprintf("material IDs: old data under %s (want %s), new data under %s (want %s)",
			ap.OldMaterialID, rk.rk.OldMaterialID, fresh, rk.rk.NewMaterialID)
	}
	return ap
}

// roundTrip encrypts and decrypts fresh data and returns the material ID
// the decryption used.
func (s *story) roundTrip(ctx context.Context, c *kms.Client, k estate.Key) (string, error) {
	pt := []byte("written after the rotation")
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(k.AliasARN()), Plaintext: pt, EncryptionContext: appContext})
	if err != nil {
		return "", fmt.Errorf("encrypt after the rotation: %w", err)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, KeyId: aws.String(k.AliasARN()), EncryptionContext: appContext})
	if err != nil {
		return "", fmt.Errorf("decrypt after the rotation: %w", err)
	}
	if !bytes.Equal(dec.Plaintext, pt) {
		return "", errors.New("round trip after the rotation returned other data")
	}
	return aws.ToString(dec.KeyMaterialId), nil
}

func engineVerified(v rotation.Verification, account string) bool {
	for _, a := range v.Accounts {
		if a.Account == account {
			return a.OldCanaryOK && a.FreshRoundTrip && v.MaterialChanged
		}
	}
	return false
}

// short abbreviates a material ID for the terminal.
func short(id string) string {
	if len(id) > 12 {
		return id[:12] + "…"
	}
	return id
}
