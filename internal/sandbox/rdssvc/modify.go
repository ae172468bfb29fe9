package rdssvc

import (
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type modifyInstanceResult struct {
	XMLName    struct{} `xml:"ModifyDBInstanceResult"`
	DBInstance xmlInstance
}

type deleteInstanceResult struct {
	XMLName    struct{} `xml:"DeleteDBInstanceResult"`
	DBInstance xmlInstance
}

type deleteClusterResult struct {
	XMLName   struct{} `xml:"DeleteDBClusterResult"`
	DBCluster xmlCluster
}

// modifyInstance supports what a re-key needs: renaming
// (NewDBInstanceIdentifier with ApplyImmediately; renaming, then
// available, the endpoint address following the new identifier) and the
// instance class (modifying). The DbiResourceId survives a rename, as in
// RDS. The instance must be available.
func (s *Service) modifyInstance(c *svc.Call, p params) (any, *awsproto.Error) {
	ref, err := p.required("DBInstanceIdentifier")
	if err != nil {
		return nil, err
	}
	now, err := p.bool("ApplyImmediately")
	if err != nil {
		return nil, err
	}
	newID := ""
	if p.str("NewDBInstanceIdentifier") != "" {
		if newID, err = p.identifier("NewDBInstanceIdentifier"); err != nil {
			return nil, err
		}
		if !now {
			return nil, combination("Renaming a DB instance requires ApplyImmediately=true in the sandbox.")
		}
	}
	sc := scope{c.Caller.Account, c.Region}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.instances[sc][idFromRef(ref)]
	if i == nil {
		return nil, notFound("DBInstanceNotFound", "DBInstance", ref)
	}
	if st := i.at(c.Now); st != statusAvailable {
		return nil, invalidInstanceState(i.ID, st, statusAvailable)
	}
	next := *i
	var steps []step
	if newID != "" && newID != i.ID {
		if s.instances[sc][newID] != nil {
			return nil, awsproto.Errorf("DBInstanceAlreadyExists", "DB instance already exists")
		}
		next.ID = newID
		steps = append(steps, step{statusRenaming, DurRename})
	}
	if class := p.str("DBInstanceClass"); class != "" && class != i.Class {
		next.Class = class
		steps = append(steps, step{statusModifying, DurModify})
	}
	next.begin(c.Now, statusAvailable, steps...)
	next.ChangedAt = c.Now
	if err := s.replaceInstance(i, &next); err != nil {
		return nil, err
	}
	return modifyInstanceResult{DBInstance: s.instanceXML(&next)}, nil
}

// replaceInstance swaps old for next (possibly renamed); s.mu held.
func (s *Service) replaceInstance(old, next *instance) *awsproto.Error {
	if old.ID != next.ID {
		if err := s.unpersist(kindInstance, storeKey(old.Account, old.Region, old.ID)); err != nil {
			return err
		}
		delete(s.instances[old.scope()], old.ID)
	}
	if err := s.persist(kindInstance, storeKey(next.Account, next.Region, next.ID), next); err != nil {
		return err
	}
	put(s.instances, next.scope(), next.ID, next)
	return nil
}

func (s *Service) deleteInstance(c *svc.Call, p params) (any, *awsproto.Error) {
	ref, err := p.required("DBInstanceIdentifier")
	if err != nil {
		return nil, err
	}
	skip, err := p.bool("SkipFinalSnapshot")
	if err != nil {
		return nil, err
	}
	final := p.str("FinalDBSnapshotIdentifier")
	sc := scope{c.Caller.Account, c.Region}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.instances[sc][idFromRef(ref)]
	if i == nil {
		return nil, notFound("DBInstanceNotFound", "DBInstance", ref)
	}
	if i.ClusterID == "" && !skip {
		if final == "" {
			return nil, combination("FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
		}
		if !validIdentifier(final) {
			return nil, invalidValue("The parameter FinalDBSnapshotIdentifier is not a valid identifier.")
		}
		if err := s.addSnapshot(snapshotOf(i, idFromRef(final), c)); err != nil {
			return nil, err
		}
	}
	if err := s.unpersist(kindInstance, storeKey(i.Account, i.Region, i.ID)); err != nil {
		return nil, err
	}
	delete(s.instances[sc], i.ID)
	x := s.instanceXML(i)
	x.DBInstanceStatus, x.Endpoint = statusDeleting, nil
	return deleteInstanceResult{DBInstance: x}, nil
}

func (s *Service) deleteCluster(c *svc.Call, p params) (any, *awsproto.Error) {
	ref, err := p.required("DBClusterIdentifier")
	if err != nil {
		return nil, err
	}
	skip, err := p.bool("SkipFinalSnapshot")
	if err != nil {
		return nil, err
	}
	sc := scope{c.Caller.Account, c.Region}
	s.mu.Lock()
	defer s.mu.Unlock()
	cl := s.clusters[sc][idFromRef(ref)]
	if cl == nil {
		return nil, notFound("DBClusterNotFoundFault", "DBCluster", ref)
	}
	if len(s.members(cl)) > 0 {
		return nil, awsproto.Errorf("InvalidDBClusterStateFault", "Cluster cannot be deleted, it still contains DB instances in non-deleting state.")
	}
	if !skip {
		return nil, combination("FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified; the sandbox does not keep cluster snapshots, so pass SkipFinalSnapshot.")
	}
	if err := s.unpersist(kindCluster, storeKey(cl.Account, cl.Region, cl.ID)); err != nil {
		return nil, err
	}
	delete(s.clusters[sc], cl.ID)
	x := s.clusterXML(cl, []xmlMember{})
	x.Status = statusDeleting
	return deleteClusterResult{DBCluster: x}, nil
}
