package rdssvc

import (
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type restoreClusterResult struct {
	XMLName   struct{} `xml:"RestoreDBClusterFromSnapshotResult"`
	DBCluster xmlCluster
}

type modifyClusterResult struct {
	XMLName   struct{} `xml:"ModifyDBClusterResult"`
	DBCluster xmlCluster
}

type stopClusterResult struct {
	XMLName   struct{} `xml:"StopDBClusterResult"`
	DBCluster xmlCluster
}

type startClusterResult struct {
	XMLName   struct{} `xml:"StartDBClusterResult"`
	DBCluster xmlCluster
}

// restoreCluster creates a cluster (without instances: add them with
// CreateDBInstance) from a cluster snapshot, on the snapshot's key or on
// KmsKeyId when given.
func (s *Service) restoreCluster(c *svc.Call, p params) (any, *awsproto.Error) {
	id, err := p.identifier("DBClusterIdentifier")
	if err != nil {
		return nil, err
	}
	sid, err := p.required("SnapshotIdentifier")
	if err != nil {
		return nil, err
	}
	engine, err := p.required("Engine")
	if err != nil {
		return nil, err
	}
	keyARN := ""
	if ref := p.str("KmsKeyId"); ref != "" {
		if keyARN, err = s.resolveKey(c, ref); err != nil {
			return nil, err
		}
	}
	sc := scope{c.Caller.Account, c.Region}
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := s.csnaps[sc][idFromRef(sid)]
	if sn == nil {
		return nil, notFound("DBClusterSnapshotNotFoundFault", "DBClusterSnapshot", sid)
	}
	if st := sn.at(c.Now); st != statusAvailable {
		return nil, invalidSnapshotState("InvalidDBClusterSnapshotStateFault", sn.ID, st)
	}
	if engine != sn.Engine {
		return nil, combination("The engine %s does not match the snapshot's engine %s.", engine, sn.Engine)
	}
	if s.clusters[sc][id] != nil {
		return nil, awsproto.Errorf("DBClusterAlreadyExistsFault", "DB Cluster already exists")
	}
	pl, err := p.placement(placement{Port: sn.Port})
	if err != nil {
		return nil, err
	}
	if v := p.str("DBClusterParameterGroupName"); v != "" {
		pl.ParameterGroup = v
	}
	cl := &cluster{Account: sc.account, Region: sc.region, ID: id, ResourceID: resourceID("cluster-"),
		Engine: sn.Engine, EngineVersion: sn.EngineVersion, placement: pl, StorageEncrypted: sn.Encrypted,
		KmsKeyID: sn.KmsKeyID, MasterUsername: sn.MasterUsername, CreatedAt: c.Now, ChangedAt: c.Now}
	if keyARN != "" {
		cl.StorageEncrypted, cl.KmsKeyID = true, keyARN
	}
	cl.begin(c.Now, statusAvailable, step{statusCreating, DurRestore})
	if err := s.persist(kindCluster, storeKey(cl.Account, cl.Region, id), cl); err != nil {
		return nil, err
	}
	put(s.clusters, sc, id, cl)
	return restoreClusterResult{DBCluster: s.clusterXML(cl, []xmlMember{})}, nil
}

// modifyCluster renames a cluster (NewDBClusterIdentifier with
// ApplyImmediately): renaming, then available; its members follow it and
// the cluster endpoint follows the identifier.
func (s *Service) modifyCluster(c *svc.Call, p params) (any, *awsproto.Error) {
	ref, err := p.required("DBClusterIdentifier")
	if err != nil {
		return nil, err
	}
	now, err := p.bool("ApplyImmediately")
	if err != nil {
		return nil, err
	}
	newID := ""
	if p.str("NewDBClusterIdentifier") != "" {
		if newID, err = p.identifier("NewDBClusterIdentifier"); err != nil {
			return nil, err
		}
		if !now {
			return nil, combination("Renaming a DB cluster requires ApplyImmediately=true in the sandbox.")
		}
	}
	sc := scope{c.Caller.Account, c.Region}
	s.mu.Lock()
	defer s.mu.Unlock()
	cl := s.clusters[sc][idFromRef(ref)]
	if cl == nil {
		return nil, notFound("DBClusterNotFoundFault", "DBCluster", ref)
	}
	if st := cl.at(c.Now); st != statusAvailable {
		return nil, invalidClusterState(cl.ID, st, statusAvailable)
	}
	next := *cl
	if newID != "" && newID != cl.ID {
		if s.clusters[sc][newID] != nil {
			return nil, awsproto.Errorf("DBClusterAlreadyExistsFault", "DB Cluster already exists")
		}
		next.ID = newID
		next.begin(c.Now, statusAvailable, step{statusRenaming, DurRename})
	}
	next.ChangedAt = c.Now
	if err := s.renameMembers(cl, next.ID); err != nil {
		return nil, err
	}
	if err := s.replaceCluster(cl, &next); err != nil {
		return nil, err
	}
	return modifyClusterResult{DBCluster: s.clusterXML(&next, s.members(&next))}, nil
}

// renameMembers points cl's instances at id; s.mu held.
func (s *Service) renameMembers(cl *cluster, id string) *awsproto.Error {
	if id == cl.ID {
		return nil
	}
	for _, i := range s.instances[cl.scope()] {
		if i.ClusterID == cl.ID {
			next := *i
			next.ClusterID = id
			if err := s.replaceInstance(i, &next); err != nil {
				return err
			}
		}
	}
	return nil
}

// replaceCluster swaps old for next (possibly renamed); s.mu held.
func (s *Service) replaceCluster(old, next *cluster) *awsproto.Error {
	if old.ID != next.ID {
		if err := s.unpersist(kindCluster, storeKey(old.Account, old.Region, old.ID)); err != nil {
			return err
		}
		delete(s.clusters[old.scope()], old.ID)
	}
	if err := s.persist(kindCluster, storeKey(next.Account, next.Region, next.ID), next); err != nil {
		return err
	}
	put(s.clusters, next.scope(), next.ID, next)
	return nil
}

func (s *Service) stopCluster(c *svc.Call, p params) (any, *awsproto.Error) {
	return s.cycleCluster(c, p, statusAvailable, statusStopped, step{statusStopping, DurStop}, func(x xmlCluster) any {
		return stopClusterResult{DBCluster: x}
	})
}

func (s *Service) startCluster(c *svc.Call, p params) (any, *awsproto.Error) {
	return s.cycleCluster(c, p, statusStopped, statusAvailable, step{statusStarting, DurStart}, func(x xmlCluster) any {
		return startClusterResult{DBCluster: x}
	})
}

// cycleCluster moves a cluster in state from through st to final, with
// its members.
func (s *Service) cycleCluster(c *svc.Call, p params, from, final string, st step, wrap func(xmlCluster) any) (any, *awsproto.Error) {
	ref, err := p.required("DBClusterIdentifier")
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
	if now := cl.at(c.Now); now != from {
		return nil, invalidClusterState(cl.ID, now, from)
	}
	for _, i := range s.instances[sc] {
		if i.ClusterID != cl.ID {
			continue
		}
		next := *i
		next.begin(c.Now, final, st)
		if err := s.replaceInstance(i, &next); err != nil {
			return nil, err
		}
	}
	next := *cl
	next.begin(c.Now, final, st)
	next.ChangedAt = c.Now
	if err := s.replaceCluster(cl, &next); err != nil {
		return nil, err
	}
	return wrap(s.clusterXML(&next, s.members(&next))), nil
}
