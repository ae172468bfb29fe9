package demo

import (
	"bytes"
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
)

func plannedKeys(plans []rotation.Plan) []estate.Key {
	out := make([]estate.Key, len(plans))
	for i, p := range plans {
		out[i] = p.Key
	}
	return out
}

// reimportExpiring re-imports, without expiry, the expiring material byok
// imported (from its HSM object, same KeyMaterialId), then checks that
// the data written under the key before still decrypts from the consumer
// account: the material is the same, only its ValidTo is gone.
func (s *story) reimportExpiring(ctx context.Context) error {
	s.w.engine.Progress = s.progress
	defer func() { s.w.engine.Progress = nil }()
	id, done, err := s.w.engine.Reimport(ctx, s.reimport, "DEMO-1 re-import expiring material")
	for _, r := range done {
		rec := Reimport{ID: id.String(), Alias: r.Alias, KeyARN: r.KeyARN, MaterialID: r.MaterialID, BlobSHA256: r.BlobSHA256,
			NoExpiry: r.Verification.NoExpiry, Verified: r.Verification.OK()}
		k, kerr := s.estateKey(r.Alias)
		if kerr != nil {
			return kerr
		}
		rec.OldDataDecrypts, rec.Error = s.oldDataDecrypts(ctx, k)
		s.rep.Reimports = append(s.rep.Reimports, rec)
		if !rec.OldDataDecrypts {
			return fmt.Errorf("after the re-import of %s, data written before no longer decrypts: %s", r.Alias, rec.Error)
		}
		s.out.ok("%s: material %s re-imported from HSM object without expiry (same KeyMaterialId); data written before decrypts from %s; audited under %s",
			r.Alias, short(r.MaterialID), s.accountName(k.Consumer), id)
	}
	if err != nil {
		return err
	}
	if len(done) == 0 {
		return fmt.Errorf("no expiring material was re-imported")
	}
	return nil
}

// oldDataDecrypts decrypts the application data written under k before.
func (s *story) oldDataDecrypts(ctx context.Context, k estate.Key) (bool, string) {
	recs := s.appData[k.Alias]
	if len(recs) == 0 {
		return false, "no application data was written"
	}
	for _, rec := range recs {
		out, err := s.w.clients.KMS(rec.Account, k.Region).Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: rec.Ciphertext, EncryptionContext: appContext})
		if err != nil {
			return false, err.Error()
		}
		if !bytes.Equal(out.Plaintext, rec.Plaintext) {
			return false, "decrypted to different data"
		}
	}
	return true, ""
}
