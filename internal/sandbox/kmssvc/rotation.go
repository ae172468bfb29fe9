package kmssvc

import (
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// RotateKeyOnDemand starts a rotation that completes rotationDelay later on
// the sandbox clock (so after 2 s of real time, or at once when the clock
// is advanced past it). Until then GetKeyRotationStatus reports
// OnDemandRotationStartDate and DescribeKey the old CurrentKeyMaterialId.
func rotateKeyOnDemand(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req keyIDReq
	if err := req.parse(c); err != nil {
		return nil, err
	}
	k, err := s.findKey(c, *req.KeyId, access{action: "RotateKeyOnDemand"}, ev)
	if err != nil {
		return nil, err
	}
	if err := rotatable(k); err != nil {
		return nil, err
	}
	target, err := rotationTarget(k)
	if err != nil {
		return nil, err
	}
	ev.setExtra("keyMaterialId", target)
	now := c.Now
	k.RotStart, k.RotTarget = &now, target
	k.OnDemand++
	if err := s.putKey(k); err != nil {
		return nil, err
	}
	for _, arn := range k.Replicas {
		if r := s.keys[arn]; r != nil && r.material(target) != nil {
			r.RotStart, r.RotTarget = &now, target
			if err := s.putKey(r); err != nil {
				return nil, err
			}
		}
	}
	return map[string]any{"KeyId": k.ARN}, nil
}

func rotatable(k *key) *awsproto.Error {
	switch {
	case k.Manager == managerAWS:
		return errUnsupported("%s is an AWS managed key; AWS rotates it every year", k.ARN)
	case k.state() != stateEnabled:
		return errKeyState(k)
	case k.isReplica():
		return errUnsupported("%s is a multi-Region replica key; rotate its primary key %s", k.ARN, k.PrimaryARN)
	case k.RotStart != nil:
		return awsproto.Errorf("ConflictException", "An on-demand rotation of %s is already in progress", k.ARN)
	case k.OnDemand >= maxOnDemandRotations:
		return awsproto.Errorf("LimitExceededException", "%s has reached the maximum of %d on-demand rotations", k.ARN, maxOnDemandRotations)
	}
	return nil
}

// rotationTarget is the material the rotation makes current: for imported
// keys the one PENDING_ROTATION, for AWS_KMS keys a new generated one.
func rotationTarget(k *key) (string, *awsproto.Error) {
	if k.Origin == originAWS {
		if err := generateMaterial(k); err != nil {
			return "", err
		}
		m := k.Materials[len(k.Materials)-1]
		m.State = matPendingRot
		return m.ID, nil
	}
	pm := k.pendingMaterial()
	switch {
	case pm == nil:
		return "", errInvalidState("%s has no key material in PENDING_ROTATION state; import new key material with ImportType NEW_KEY_MATERIAL first", k.ARN)
	case pm.State == matPendingMRImport:
		return "", errInvalidState("Key material %s of %s is not yet imported into every replica key (state %s)", pm.ID, k.ARN, pm.State)
	}
	return pm.ID, nil
}

// completeRotation makes the target material current.
func completeRotation(k *key) {
	done := k.RotStart.Add(rotationDelay)
	if t := k.material(k.RotTarget); t != nil {
		if cur := k.current(); cur != nil {
			cur.State = matNonCurrent
		}
		t.State, t.RotationDate, t.RotationType = matCurrent, &done, "ON_DEMAND"
	}
	k.RotStart, k.RotTarget = nil, ""
}

func getKeyRotationStatus(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req keyIDReq
	if err := req.parse(c); err != nil {
		return nil, err
	}
	k, err := s.findKey(c, *req.KeyId, access{action: "GetKeyRotationStatus", crossAccount: true}, ev)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"KeyId": k.ARN, "KeyRotationEnabled": k.Manager == managerAWS && k.state() != statePendingDeletion}
	if k.RotStart != nil {
		out["OnDemandRotationStartDate"] = epoch(*k.RotStart)
	}
	if k.Manager == managerAWS {
		out["RotationPeriodInDays"] = 365
	}
	return out, nil
}

type listRotationsReq struct {
	listReq
	KeyId              *string
	IncludeKeyMaterial *string
}

type rotationEntry struct {
	KeyId                  string
	KeyMaterialId          string
	KeyMaterialDescription string `json:",omitempty"`
	ImportState            string `json:",omitempty"`
	KeyMaterialState       string
	ExpirationModel        string `json:",omitempty"`
	ValidTo                *epoch `json:",omitempty"`
	RotationDate           *epoch `json:",omitempty"`
	RotationType           string `json:",omitempty"`
}

func listKeyRotations(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req listRotationsReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if req.KeyId == nil {
		return nil, errNull("keyId")
	}
	all := deref(req.IncludeKeyMaterial, "ROTATIONS_ONLY")
	if all != "ROTATIONS_ONLY" && all != "ALL_KEY_MATERIAL" {
		return nil, enumErr("includeKeyMaterial", all, "ALL_KEY_MATERIAL, ROTATIONS_ONLY")
	}
	k, err := s.findKey(c, *req.KeyId, access{action: "ListKeyRotations"}, ev)
	if err != nil {
		return nil, err
	}
	var entries []rotationEntry
	for _, m := range k.Materials {
		if all == "ALL_KEY_MATERIAL" || m.RotationDate != nil {
			entries = append(entries, rotationOf(k, m))
		}
	}
	from, to, next, err := req.page(len(entries), 100, 1000)
	if err != nil {
		return nil, err
	}
	return listOut("Rotations", append([]rotationEntry{}, entries[from:to]...), next), nil
}

func rotationOf(k *key, m *material) rotationEntry {
	e := rotationEntry{KeyId: k.ID, KeyMaterialId: m.ID, KeyMaterialState: m.State,
		RotationDate: epochOf(m.RotationDate), RotationType: m.RotationType}
	if k.Origin == originExternal {
		e.KeyMaterialDescription, e.ExpirationModel, e.ValidTo = m.Description, m.ExpirationModel, epochOf(m.ValidTo)
		e.ImportState = importImported
		if !m.imported() {
			e.ImportState = importPending
		}
	}
	return e
}

func init() {
	register("RotateKeyOnDemand", opWrite, rotateKeyOnDemand)
	register("GetKeyRotationStatus", opRead, getKeyRotationStatus)
	register("ListKeyRotations", opRead, listKeyRotations)
}
