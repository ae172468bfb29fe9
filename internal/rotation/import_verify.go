package rotation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// ImportVerification is what an import checks afterwards; it is
// journaled in the run key and audited.
type ImportVerification struct {
	MaterialID string `json:"material_id"`
	// Imported: the material is imported (not PENDING_IMPORT) with the
	// requested expiry in the primary and every replica; NotImported
	// names the Regions where it is not.
	Imported    bool       `json:"imported"`
	NotImported []string   `json:"not_imported,omitempty"`
	ValidTo     *time.Time `json:"valid_to,omitempty"`
	KeyState    string     `json:"key_state"`
	// Accounts: a fresh encrypt/decrypt through the alias works from the
	// Security and the consumer account.
	Accounts []AccountCheck `json:"accounts"`
	At       time.Time      `json:"at"`
}

// importVerify checks the import from KMS in every Region and from every
// account, journals the result and fails the step when a check failed.
func (j *keyJob) importVerify(ctx context.Context) error {
	v := ImportVerification{MaterialID: j.rk.NewMaterialID, Imported: true, ValidTo: j.validTo(), At: time.Now().UTC()}
	var waiting []string
	for _, region := range append([]string{j.key.Region}, j.key.Replicas...) {
		st, err := Inspect(ctx, j.e.securityKMS(region), replicaARN(j.rk.KeyARN, region))
		m, ok := materialByID(st, j.rk.NewMaterialID)
		if err != nil || !ok || !settled(m, v.ValidTo) {
			v.Imported = false
			v.NotImported = append(v.NotImported, region)
		}
		if region == j.key.Region {
			v.KeyState = string(st.State)
			for _, p := range st.PendingImport() {
				waiting = append(waiting, p.ID)
			}
		}
	}
	for _, acct := range j.accounts() {
		v.Accounts = append(v.Accounts, j.checkAccount(ctx, acct, nil))
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("verification: %w", err)
	}
	j.rk.Verification = raw
	if err := j.save(ctx); err != nil {
		return err
	}
	return j.importVerificationError(v, waiting)
}

func (j *keyJob) importVerificationError(v ImportVerification, waiting []string) error {
	switch {
	case !v.Imported:
		return fmt.Errorf("%w: material %s is not imported as asked in %s", ErrVerification, v.MaterialID, strings.Join(v.NotImported, ", "))
	case v.KeyState != string(types.KeyStateEnabled) && len(waiting) > 0:
		return &Refusal{KeyARN: j.rk.KeyARN, Err: fmt.Errorf("%w: key state is %s: material %s must be imported too", ErrVerification, v.KeyState, waiting[0]),
			Hint: fmt.Sprintf("byok import --key %s --reimport --material-id %s, then: byok resume %s", j.key.Alias, waiting[0], j.run.ID)}
	case v.KeyState != string(types.KeyStateEnabled):
		return fmt.Errorf("%w: key state is %s, want Enabled", ErrVerification, v.KeyState)
	}
	for _, a := range v.Accounts {
		if a.Error != "" {
			return &accountError{Account: a.Account, Call: a.Call, Err: fmt.Errorf("%w: %s", ErrVerification, a.Error)}
		}
		if !a.FreshRoundTrip {
			return &accountError{Account: a.Account, Call: "Decrypt (fresh)", Err: fmt.Errorf("%w: the round trip returned other data", ErrVerification)}
		}
	}
	return nil
}
