package kmssvc

import (
	"regexp"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// maxValidity is how far ahead ValidTo may be.
const maxValidity = 365 * 24 * time.Hour

var descRE = regexp.MustCompile(`^[a-zA-Z0-9:/_\s.-]+$`)

type importReq struct {
	KeyId                  *string
	ImportToken            []byte
	EncryptedKeyMaterial   []byte
	ExpirationModel        *string
	ValidTo                *epoch
	ImportType             *string
	KeyMaterialDescription *string
	KeyMaterialId          *string
}

func (r *importReq) validate(now time.Time) *awsproto.Error {
	switch {
	case r.KeyId == nil:
		return errNull("keyId")
	case r.ImportToken == nil:
		return errNull("importToken")
	case r.EncryptedKeyMaterial == nil:
		return errNull("encryptedKeyMaterial")
	}
	if err := r.validateExpiry(now); err != nil {
		return err
	}
	if d := r.KeyMaterialDescription; d != nil && (len(*d) > 256 || (*d != "" && !descRE.MatchString(*d))) {
		return errValidation("1 validation error detected: Value '%s' at 'keyMaterialDescription' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_\\s.-]+$ and have length less than or equal to 256", *d)
	}
	if t := r.ImportType; t != nil && *t != "NEW_KEY_MATERIAL" && *t != "EXISTING_KEY_MATERIAL" {
		return enumErr("importType", *t, "NEW_KEY_MATERIAL, EXISTING_KEY_MATERIAL")
	}
	if r.KeyMaterialId != nil && deref(r.ImportType, "") == "NEW_KEY_MATERIAL" {
		return errValidation("KeyMaterialId cannot be specified when ImportType is NEW_KEY_MATERIAL")
	}
	return nil
}

func (r *importReq) validateExpiry(now time.Time) *awsproto.Error {
	switch model := deref(r.ExpirationModel, expires); model {
	case expires:
		vt := r.ValidTo.time()
		switch {
		case vt == nil:
			return errValidation("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")
		case !vt.After(now):
			return errValidation("The validTo date %s must be in the future", vt.Format(time.RFC3339))
		case vt.After(now.Add(maxValidity)):
			return errValidation("The validTo date %s must be at most 365 days from now", vt.Format(time.RFC3339))
		}
	case doesNotExpire:
		if r.ValidTo != nil {
			return errValidation("A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE")
		}
	default:
		return enumErr("expirationModel", model, "KEY_MATERIAL_EXPIRES, KEY_MATERIAL_DOES_NOT_EXPIRE")
	}
	return nil
}

// unwrapRequest checks the token against k and the clock and recovers the
// material.
func (s *Service) unwrapRequest(c *svc.Call, k *key, r *importReq) ([]byte, *awsproto.Error) {
	tb, priv, err := s.openToken(r.ImportToken)
	if err != nil || tb.KeyARN != k.ARN {
		return nil, awsproto.Errorf("InvalidImportTokenException", "The import token is invalid or was issued for a different KMS key; call GetParametersForImport for %s", k.ARN)
	}
	if !c.Now.Before(tb.ValidTo) {
		return nil, awsproto.Errorf("ExpiredImportTokenException", "The import token expired at %s; call GetParametersForImport again", tb.ValidTo.Format(time.RFC3339))
	}
	mat, uerr := unwrap(priv, tb.Algorithm, r.EncryptedKeyMaterial)
	if uerr != nil {
		return nil, awsproto.Errorf("InvalidCiphertextException", "KMS could not decrypt the wrapped key material with the %s wrapping key of this import token", tb.Algorithm)
	}
	if len(mat) != 32 {
		clear(mat)
		return nil, awsproto.Errorf("IncorrectKeyMaterialException", "Key material for a SYMMETRIC_DEFAULT key must be 256 bits (32 bytes)")
	}
	return mat, nil
}

func importKeyMaterial(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req importReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if err := req.validate(c.Now); err != nil {
		return nil, err
	}
	k, err := s.findKey(c, *req.KeyId, access{action: "ImportKeyMaterial"}, ev)
	if err != nil {
		return nil, err
	}
	if err := importTarget(k); err != nil {
		return nil, err
	}
	mat, err := s.unwrapRequest(c, k, &req)
	if err != nil {
		return nil, err
	}
	defer clear(mat)
	id := materialID(k.ID, mat)
	ev.setExtra("keyMaterialId", id)
	if req.KeyMaterialId != nil && *req.KeyMaterialId != id {
		return nil, awsproto.Errorf("IncorrectKeyMaterialException", "The key material does not match KeyMaterialId %s", *req.KeyMaterialId)
	}
	m, err := s.placeMaterial(k, &req, id)
	if err != nil {
		return nil, err
	}
	if err := s.storeImport(c, k, m, &req, mat); err != nil {
		return nil, err
	}
	return map[string]any{"KeyId": k.ARN, "KeyMaterialId": id}, nil
}

// placeMaterial applies the ImportType rules and returns the material
// entry the import fills.
func (s *Service) placeMaterial(k *key, r *importReq, id string) (*material, *awsproto.Error) {
	typ := deref(r.ImportType, "EXISTING_KEY_MATERIAL")
	if r.ImportType == nil && len(k.Materials) == 0 {
		typ = "NEW_KEY_MATERIAL"
	}
	if typ == "EXISTING_KEY_MATERIAL" {
		return s.existingMaterial(k, id)
	}
	if k.material(id) != nil {
		return nil, awsproto.Errorf("IncorrectKeyMaterialException", "This key material is already associated with %s (KeyMaterialId %s); import it with ImportType EXISTING_KEY_MATERIAL", k.ARN, id)
	}
	if len(k.Materials) == 0 {
		m := &material{ID: id, State: matCurrent}
		k.Materials = append(k.Materials, m)
		return m, nil
	}
	return s.newPendingMaterial(k, id)
}

func (s *Service) newPendingMaterial(k *key, id string) (*material, *awsproto.Error) {
	switch {
	case k.isReplica():
		return nil, errUnsupported("New key material cannot be imported into the replica key %s; import it into the primary key %s and then into each replica as EXISTING_KEY_MATERIAL", k.ARN, k.PrimaryARN)
	case k.pendingMaterial() != nil:
		return nil, errInvalidState("%s already has key material %s pending rotation; rotate the key or delete that material first", k.ARN, k.pendingMaterial().ID)
	case k.RotStart != nil:
		return nil, awsproto.Errorf("ConflictException", "An on-demand rotation of %s is in progress", k.ARN)
	}
	m := &material{ID: id, State: matPendingRot}
	if len(k.Replicas) > 0 {
		m.State = matPendingMRImport
	}
	k.Materials = append(k.Materials, m)
	return m, nil
}

// existingMaterial finds the material entry a reimport fills: one already
// associated with k or, for a replica, one of its primary's.
func (s *Service) existingMaterial(k *key, id string) (*material, *awsproto.Error) {
	if m := k.material(id); m != nil {
		return m, nil
	}
	if p := s.keys[k.PrimaryARN]; k.isReplica() && p != nil {
		if pm := p.material(id); pm != nil {
			m := &material{ID: id, State: pm.State, Description: pm.Description}
			if pm.pending() {
				m.State = matPendingRot
			}
			k.Materials = append(k.Materials, m)
			return m, nil
		}
	}
	return nil, awsproto.Errorf("IncorrectKeyMaterialException", "The key material is not associated with %s; use ImportType NEW_KEY_MATERIAL for new material, or import the material this key already had", k.ARN)
}

func (s *Service) storeImport(c *svc.Call, k *key, m *material, r *importReq, mat []byte) *awsproto.Error {
	wasPending := k.awaitingImport()
	if err := m.setBytes(mat); err != nil {
		return errInternal("store key material")
	}
	m.ExpirationModel, m.ValidTo = deref(r.ExpirationModel, expires), r.ValidTo.time()
	if r.KeyMaterialDescription != nil {
		m.Description = *r.KeyMaterialDescription
	}
	if wasPending && !k.awaitingImport() {
		k.Enabled = true
	}
	if err := s.putKey(k); err != nil {
		return err
	}
	if k.isReplica() && m.pending() {
		return s.promoteMultiRegion(k.PrimaryARN, m.ID)
	}
	return nil
}

// promoteMultiRegion moves a primary's pending material from
// PENDING_MULTI_REGION_IMPORT_AND_ROTATION to PENDING_ROTATION once every
// replica has imported it.
func (s *Service) promoteMultiRegion(primaryARN, id string) *awsproto.Error {
	p := s.keys[primaryARN]
	if p == nil {
		return nil
	}
	pm := p.material(id)
	if pm == nil || pm.State != matPendingMRImport {
		return nil
	}
	for _, arn := range p.Replicas {
		r := s.keys[arn]
		if r == nil || r.material(id) == nil || !r.material(id).imported() {
			return nil
		}
	}
	pm.State = matPendingRot
	return s.putKey(p)
}

func init() {
	register("ImportKeyMaterial", opWrite, importKeyMaterial)
}
