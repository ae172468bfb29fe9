package kmssvc

import (
	"regexp"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

type replicateReq struct {
	KeyId         *string
	ReplicaRegion *string
	Description   *string
	Policy        *string
	Tags          []tag
}

func (r *replicateReq) validate(c *svc.Call) *awsproto.Error {
	switch {
	case r.KeyId == nil:
		return errNull("keyId")
	case r.ReplicaRegion == nil:
		return errNull("replicaRegion")
	case !regionRE.MatchString(*r.ReplicaRegion):
		return errValidation("1 validation error detected: Value '%s' at 'replicaRegion' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$", *r.ReplicaRegion)
	case *r.ReplicaRegion == c.Region:
		return errValidation("The replica Region %s must differ from the primary key's Region", *r.ReplicaRegion)
	}
	return validateTags(r.Tags)
}

// ReplicateKey creates a replica with the primary's key ID in another
// Region. A replica of an imported key lists the primary's materials as
// PENDING_IMPORT and stays PendingImport until each is imported as
// EXISTING_KEY_MATERIAL.
func replicateKey(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req replicateReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if err := req.validate(c); err != nil {
		return nil, err
	}
	p, err := s.findKey(c, *req.KeyId, access{action: "ReplicateKey"}, ev)
	if err != nil {
		return nil, err
	}
	if !p.MultiRegion || p.isReplica() {
		return nil, errUnsupported("%s is not a multi-Region primary key", p.ARN)
	}
	if p.state() == statePendingDeletion {
		return nil, errKeyState(p)
	}
	arn := keyARN(s.env.Partition, *req.ReplicaRegion, p.Account, p.ID)
	if s.keys[arn] != nil {
		return nil, awsproto.Errorf("AlreadyExistsException", "Key %s already exists", arn)
	}
	r, err := s.newReplica(c, p, arn, &req)
	if err != nil {
		return nil, err
	}
	ev.addKey(r)
	return map[string]any{"ReplicaKeyMetadata": s.metadata(r), "ReplicaPolicy": r.Policy, "ReplicaTags": append([]tag{}, r.Tags...)}, nil
}

func (s *Service) newReplica(c *svc.Call, p *key, arn string, req *replicateReq) (*key, *awsproto.Error) {
	r := &key{ID: p.ID, Account: p.Account, Region: *req.ReplicaRegion, ARN: arn, Created: c.Now,
		Description: deref(req.Description, p.Description), Origin: p.Origin, Manager: p.Manager,
		Enabled: p.Enabled, MultiRegion: true, PrimaryARN: p.ARN, Tags: req.Tags,
		Policy: deref(req.Policy, defaultPolicy(s.env.Partition, p.Account))}
	pol, perr := parsePolicy(r.Policy)
	if perr != nil {
		return nil, awsproto.Errorf("MalformedPolicyDocumentException", "%s", perr.Error())
	}
	r.policy = pol
	for _, m := range p.Materials {
		if err := copyMaterial(p, r, m); err != nil {
			return nil, err
		}
	}
	if err := s.putKey(r); err != nil {
		return nil, err
	}
	s.keys[arn] = r
	p.Replicas = append(p.Replicas, arn)
	return r, s.putKey(p)
}

// copyMaterial gives the replica the primary's material: generated
// material is shared (AWS copies it); imported material must be imported
// into the replica by the owner.
func copyMaterial(p, r *key, m *material) *awsproto.Error {
	if m.pending() {
		if p.Origin == originExternal {
			m.State = matPendingMRImport
		}
		return nil
	}
	cp := &material{ID: m.ID, State: m.State, Description: m.Description, RotationDate: m.RotationDate, RotationType: m.RotationType}
	if p.Origin == originAWS && m.imported() {
		if err := cp.setBytes(m.Bytes); err != nil {
			return errInternal("copy key material")
		}
	}
	r.Materials = append(r.Materials, cp)
	return nil
}

func init() {
	register("ReplicateKey", opWrite, replicateKey)
}
