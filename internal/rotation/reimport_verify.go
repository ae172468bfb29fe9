package rotation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/store"
)

// ReimportVerification is what a re-import checks afterwards; it is
// journaled in the run key and audited.
type ReimportVerification struct {
	// NoExpiry: the material shows no ValidTo in the primary and every
	// replica; StillExpires names the Regions where it does (or is gone).
	NoExpiry     bool     `json:"material_does_not_expire"`
	StillExpires []string `json:"still_expires,omitempty"`
	KeyState     string   `json:"key_state"`
	// OldDataChecked: canaries were encrypted before the import (not
	// possible once a material has expired: the key cannot encrypt).
	OldDataChecked bool `json:"old_data_checked"`
	// Accounts: old canaries decrypt and a fresh encrypt/decrypt through
	// the alias works, from the Security and the consumer account.
	Accounts []AccountCheck `json:"accounts"`
	At       time.Time      `json:"at"`
}

// OK reports whether every check passed.
func (v ReimportVerification) OK() bool {
	for _, a := range v.Accounts {
		if !a.FreshRoundTrip || (v.OldDataChecked && !a.OldCanaryOK) {
			return false
		}
	}
	return len(v.Accounts) > 0 && v.NoExpiry && v.KeyState == string(types.KeyStateEnabled)
}

// reimportVerify checks the re-import from KMS and every account, records
// the result in the run key and fails the step when a check failed.
func (j *keyJob) reimportVerify(ctx context.Context) error {
	rk, err := j.e.Store.GetRunKey(ctx, j.run.ID, j.rk.KeyARN)
	if err != nil {
		return err
	}
	v := j.checkReimport(ctx, rk.Canaries)
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("verification: %w", err)
	}
	j.rk.Verification = raw
	if err := j.save(ctx); err != nil {
		return err
	}
	return reimportVerificationError(v, j.rk.OldMaterialID)
}

func (j *keyJob) checkReimport(ctx context.Context, canaries []store.Canary) ReimportVerification {
	v := ReimportVerification{NoExpiry: true, OldDataChecked: len(canaries) > 0, At: time.Now().UTC()}
	regions := append([]string{j.key.Region}, j.key.Replicas...)
	for _, region := range regions {
		arn := replicaARN(j.rk.KeyARN, region)
		st, err := Inspect(ctx, j.e.securityKMS(region), arn)
		m, ok := materialByID(st, j.rk.OldMaterialID)
		if err != nil || !ok || m.ValidTo != nil {
			v.NoExpiry = false
			v.StillExpires = append(v.StillExpires, region)
		}
		if region == j.key.Region {
			v.KeyState = string(st.State)
		}
	}
	for _, acct := range j.accounts() {
		v.Accounts = append(v.Accounts, j.checkAccount(ctx, acct, canaries))
	}
	return v
}

func reimportVerificationError(v ReimportVerification, materialID string) error {
	for _, a := range v.Accounts {
		if a.Error != "" {
			return &accountError{Account: a.Account, Call: a.Call, Err: fmt.Errorf("%w: %s", ErrVerification, a.Error)}
		}
	}
	switch {
	case !v.NoExpiry:
		return fmt.Errorf("%w: material %s still expires (or is gone) in %s", ErrVerification, materialID, strings.Join(v.StillExpires, ", "))
	case v.KeyState != string(types.KeyStateEnabled):
		return fmt.Errorf("%w: key state is %s, want Enabled", ErrVerification, v.KeyState)
	case !v.OK():
		b, _ := json.Marshal(v.Accounts)
		return fmt.Errorf("%w: %s", ErrVerification, b)
	}
	return nil
}
