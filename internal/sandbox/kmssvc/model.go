package kmssvc

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

// KMS enums, spelled as the API spells them.
const (
	stateEnabled         = "Enabled"
	stateDisabled        = "Disabled"
	statePendingDeletion = "PendingDeletion"
	statePendingImport   = "PendingImport"

	originAWS      = "AWS_KMS"
	originExternal = "EXTERNAL"

	matCurrent         = "CURRENT"
	matNonCurrent      = "NON_CURRENT"
	matPendingRot      = "PENDING_ROTATION"
	matPendingMRImport = "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"

	importImported = "IMPORTED"
	importPending  = "PENDING_IMPORT"

	expires       = "KEY_MATERIAL_EXPIRES"
	doesNotExpire = "KEY_MATERIAL_DOES_NOT_EXPIRE"

	managerCustomer = "CUSTOMER"
	managerAWS      = "AWS"

	symmetricDefault = "SYMMETRIC_DEFAULT"
)

// rotationDelay is how long an on-demand rotation stays in progress on the
// sandbox clock before it completes (AWS completes it in the background).
const rotationDelay = 2 * time.Second

// maxOnDemandRotations is AWS's per-key on-demand rotation quota.
const maxOnDemandRotations = 25

// secretBytes is key material: it marshals to the state file (base64) but
// never prints.
type secretBytes []byte

func (secretBytes) String() string               { return "[redacted]" }
func (secretBytes) GoString() string             { return "[redacted]" }
func (s secretBytes) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte("[redacted]")) }

// MarshalJSON writes the bytes for the sandbox state file only.
func (s secretBytes) MarshalJSON() ([]byte, error) {
	if s == nil {
		return []byte("null"), nil
	}
	return json.Marshal(base64.StdEncoding.EncodeToString(s))
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (s *secretBytes) UnmarshalJSON(b []byte) error {
	var str *string
	if err := json.Unmarshal(b, &str); err != nil {
		return err
	}
	if str == nil {
		*s = nil
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(*str)
	*s = raw
	return err
}

// material is one key material of a key (AWS_KMS keys have generated ones).
type material struct {
	ID              string      `json:"id"`
	Bytes           secretBytes `json:"bytes,omitempty"` // nil while not imported
	State           string      `json:"state"`           // CURRENT, NON_CURRENT, PENDING_*
	Description     string      `json:"description,omitempty"`
	ExpirationModel string      `json:"expirationModel,omitempty"`
	ValidTo         *time.Time  `json:"validTo,omitempty"`
	RotationDate    *time.Time  `json:"rotationDate,omitempty"`
	RotationType    string      `json:"rotationType,omitempty"`
	aead            cipher.AEAD
}

func (m *material) imported() bool { return m.Bytes != nil }

func (m *material) pending() bool { return m.State == matPendingRot || m.State == matPendingMRImport }

// setBytes stores the material and prepares its AES-256-GCM cipher.
func (m *material) setBytes(b []byte) error {
	blk, err := aes.NewCipher(b)
	if err != nil {
		return fmt.Errorf("material cipher: %w", err)
	}
	g, err := cipher.NewGCM(blk)
	if err != nil {
		return fmt.Errorf("material cipher: %w", err)
	}
	m.Bytes, m.aead = append(secretBytes(nil), b...), g
	return nil
}

func (m *material) drop() {
	clear(m.Bytes)
	m.Bytes, m.aead = nil, nil
}

// key is one KMS key in one Region (a multi-Region replica is its own key
// with the same ID).
type key struct {
	ID           string      `json:"id"`
	Account      string      `json:"account"`
	Region       string      `json:"region"`
	ARN          string      `json:"arn"`
	Created      time.Time   `json:"created"`
	Description  string      `json:"description"`
	Origin       string      `json:"origin"`
	Manager      string      `json:"manager"`
	Enabled      bool        `json:"enabled"` // the owner's Enable/Disable choice
	Policy       string      `json:"policy"`
	Tags         []tag       `json:"tags,omitempty"`
	DeletionDate *time.Time  `json:"deletionDate,omitempty"`
	WindowDays   int32       `json:"windowDays,omitempty"`
	MultiRegion  bool        `json:"multiRegion,omitempty"`
	PrimaryARN   string      `json:"primaryArn,omitempty"` // set on replicas
	Replicas     []string    `json:"replicas,omitempty"`   // replica ARNs, on primaries
	Materials    []*material `json:"materials"`
	RotStart     *time.Time  `json:"rotStart,omitempty"` // on-demand rotation in progress
	RotTarget    string      `json:"rotTarget,omitempty"`
	OnDemand     int         `json:"onDemand"`
	policy       *policyDoc
}

type tag struct {
	TagKey   string
	TagValue string
}

// state computes the KeyState AWS reports.
func (k *key) state() string {
	switch {
	case k.DeletionDate != nil:
		return statePendingDeletion
	case k.awaitingImport():
		return statePendingImport
	case !k.Enabled:
		return stateDisabled
	}
	return stateEnabled
}

// awaitingImport is true for EXTERNAL keys with no current material or with
// any associated (not pending) material not imported: AWS requires every
// associated material to be imported for the key to be usable.
func (k *key) awaitingImport() bool {
	if k.Origin != originExternal {
		return false
	}
	if k.current() == nil {
		return true
	}
	for _, m := range k.Materials {
		if !m.pending() && !m.imported() {
			return true
		}
	}
	return false
}

func (k *key) current() *material {
	for _, m := range k.Materials {
		if m.State == matCurrent {
			return m
		}
	}
	return nil
}

func (k *key) material(id string) *material {
	for _, m := range k.Materials {
		if m.ID == id {
			return m
		}
	}
	return nil
}

func (k *key) pendingMaterial() *material {
	for _, m := range k.Materials {
		if m.pending() {
			return m
		}
	}
	return nil
}

func (k *key) isReplica() bool { return k.PrimaryARN != "" }
