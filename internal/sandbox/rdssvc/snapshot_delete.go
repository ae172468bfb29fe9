package rdssvc

import (
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type deleteSnapshotResult struct {
	XMLName    struct{} `xml:"DeleteDBSnapshotResult"`
	DBSnapshot xmlSnapshot
}

type deleteClusterSnapshotResult struct {
	XMLName           struct{} `xml:"DeleteDBClusterSnapshotResult"`
	DBClusterSnapshot xmlClusterSnapshot
}

// deleteSnapshot deletes a DB snapshot of the caller's account and
// Region. As in RDS the snapshot must be available (DBSnapshotNotFound
// 404 when there is none, InvalidDBSnapshotState 400 while it is being
// created or copied); the answer shows it deleted.
func (s *Service) deleteSnapshot(c *svc.Call, p params) (any, *awsproto.Error) {
	ref, err := p.required("DBSnapshotIdentifier")
	if err != nil {
		return nil, err
	}
	sc := scope{c.Caller.Account, c.Region}
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := s.snapshots[sc][idFromRef(ref)]
	if sn == nil {
		return nil, notFound("DBSnapshotNotFound", "DBSnapshot", ref)
	}
	if st := sn.at(c.Now); st != statusAvailable {
		return nil, invalidSnapshotState("InvalidDBSnapshotState", sn.ID, st)
	}
	if err := s.unpersist(kindSnapshot, storeKey(sn.Account, sn.Region, sn.ID)); err != nil {
		return nil, err
	}
	delete(s.snapshots[sc], sn.ID)
	x := s.snapshotXML(sn)
	x.Status = statusDeleted
	return deleteSnapshotResult{DBSnapshot: x}, nil
}

// deleteClusterSnapshot is DeleteDBClusterSnapshot: the same rules with
// the cluster snapshot codes (DBClusterSnapshotNotFoundFault 404,
// InvalidDBClusterSnapshotStateFault 400).
func (s *Service) deleteClusterSnapshot(c *svc.Call, p params) (any, *awsproto.Error) {
	ref, err := p.required("DBClusterSnapshotIdentifier")
	if err != nil {
		return nil, err
	}
	sc := scope{c.Caller.Account, c.Region}
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := s.csnaps[sc][idFromRef(ref)]
	if sn == nil {
		return nil, notFound("DBClusterSnapshotNotFoundFault", "DBClusterSnapshot", ref)
	}
	if st := sn.at(c.Now); st != statusAvailable {
		return nil, invalidSnapshotState("InvalidDBClusterSnapshotStateFault", sn.ID, st)
	}
	if err := s.unpersist(kindClusterSnapshot, storeKey(sn.Account, sn.Region, sn.ID)); err != nil {
		return nil, err
	}
	delete(s.csnaps[sc], sn.ID)
	x := s.clusterSnapshotXML(sn)
	x.Status = statusDeleted
	return deleteClusterSnapshotResult{DBClusterSnapshot: x}, nil
}

// statusDeleted is the status a Delete*Snapshot answer reports.
const statusDeleted = "deleted"
