package rdssvc

import (
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type stopInstanceResult struct {
	XMLName    struct{} `xml:"StopDBInstanceResult"`
	DBInstance xmlInstance
}

type startInstanceResult struct {
	XMLName    struct{} `xml:"StartDBInstanceResult"`
	DBInstance xmlInstance
}

// stopInstance stops an available, standalone instance (stopping, then
// stopped). Aurora members stop with their cluster (StopDBCluster). A
// DBSnapshotIdentifier takes a snapshot first, as RDS does.
func (s *Service) stopInstance(c *svc.Call, p params) (any, *awsproto.Error) {
	ref, err := p.required("DBInstanceIdentifier")
	if err != nil {
		return nil, err
	}
	sc := scope{c.Caller.Account, c.Region}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.instances[sc][idFromRef(ref)]
	if i == nil {
		return nil, notFound("DBInstanceNotFound", "DBInstance", ref)
	}
	if i.ClusterID != "" {
		return nil, awsproto.Errorf("InvalidDBClusterStateFault",
			"DB instance %s is a member of DB cluster %s: stop the cluster with StopDBCluster.", i.ID, i.ClusterID)
	}
	if st := i.at(c.Now); st != statusAvailable {
		return nil, invalidInstanceState(i.ID, st, statusAvailable)
	}
	if sid := p.str("DBSnapshotIdentifier"); sid != "" {
		if !validIdentifier(sid) {
			return nil, invalidValue("The parameter DBSnapshotIdentifier is not a valid identifier.")
		}
		sn := snapshotOf(i, idFromRef(sid), c)
		sn.begin(c.Now, statusAvailable, step{statusCreating, DurSnapshot})
		if err := s.addSnapshot(sn); err != nil {
			return nil, err
		}
	}
	next := *i
	next.begin(c.Now, statusStopped, step{statusStopping, DurStop})
	next.ChangedAt = c.Now
	if err := s.replaceInstance(i, &next); err != nil {
		return nil, err
	}
	return stopInstanceResult{DBInstance: s.instanceXML(&next)}, nil
}

// startInstance starts a stopped instance (starting, then available).
func (s *Service) startInstance(c *svc.Call, p params) (any, *awsproto.Error) {
	ref, err := p.required("DBInstanceIdentifier")
	if err != nil {
		return nil, err
	}
	sc := scope{c.Caller.Account, c.Region}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.instances[sc][idFromRef(ref)]
	if i == nil {
		return nil, notFound("DBInstanceNotFound", "DBInstance", ref)
	}
	if st := i.at(c.Now); st != statusStopped {
		return nil, invalidInstanceState(i.ID, st, statusStopped)
	}
	next := *i
	next.begin(c.Now, statusAvailable, step{statusStarting, DurStart})
	next.ChangedAt = c.Now
	if err := s.replaceInstance(i, &next); err != nil {
		return nil, err
	}
	return startInstanceResult{DBInstance: s.instanceXML(&next)}, nil
}
