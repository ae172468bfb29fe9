package kmssvc

import (
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type deleteMaterialReq struct {
	KeyId         *string
	KeyMaterialId *string
}

func deleteImportedKeyMaterial(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req deleteMaterialReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if req.KeyId == nil {
		return nil, errNull("keyId")
	}
	k, err := s.findKey(c, *req.KeyId, access{action: "DeleteImportedKeyMaterial"}, ev)
	if err != nil {
		return nil, err
	}
	if k.Origin != originExternal {
		return nil, errUnsupported("%s origin is %s which is not valid for this operation.", k.ARN, k.Origin)
	}
	m := k.current()
	if req.KeyMaterialId != nil {
		m = k.material(*req.KeyMaterialId)
	}
	if m == nil {
		return nil, awsproto.Errorf("NotFoundException", "Key material %s is not associated with %s", deref(req.KeyMaterialId, "(current)"), k.ARN)
	}
	ev.setExtra("keyMaterialId", m.ID)
	if err := s.dropMaterial(k, m); err != nil {
		return nil, err
	}
	return map[string]any{"KeyId": k.ARN, "KeyMaterialId": m.ID}, nil
}

// dropMaterial deletes imported material. Material pending rotation is not
// permanently associated with the key, so it is forgotten (on a primary,
// in its replicas too); associated material stays listed as PENDING_IMPORT
// and the key waits for its reimport.
func (s *Service) dropMaterial(k *key, m *material) *awsproto.Error {
	if !m.pending() {
		m.drop()
		return s.putKey(k)
	}
	forget(k, m.ID)
	if err := s.putKey(k); err != nil {
		return err
	}
	for _, arn := range k.Replicas {
		if r := s.keys[arn]; r != nil && r.material(m.ID) != nil {
			forget(r, m.ID)
			if err := s.putKey(r); err != nil {
				return err
			}
		}
	}
	return nil
}

func forget(k *key, id string) {
	kept := k.Materials[:0]
	for _, m := range k.Materials {
		if m.ID == id {
			m.drop()
			continue
		}
		kept = append(kept, m)
	}
	k.Materials = kept
	if k.RotTarget == id {
		k.RotStart, k.RotTarget = nil, ""
	}
}

// expireMaterials deletes material whose ValidTo has passed, as AWS does
// on that date. Any expired associated material makes the key
// PendingImport until it is reimported.
func expireMaterials(k *key, now time.Time) bool {
	changed := false
	for _, m := range append([]*material(nil), k.Materials...) {
		if !m.imported() || m.ValidTo == nil || now.Before(*m.ValidTo) {
			continue
		}
		changed = true
		if m.pending() {
			forget(k, m.ID)
		} else {
			m.drop()
		}
	}
	return changed
}

func init() {
	register("DeleteImportedKeyMaterial", opWrite, deleteImportedKeyMaterial)
}
