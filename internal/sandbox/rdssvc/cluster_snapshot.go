package rdssvc

import (
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type xmlClusterSnapshot struct {
	DBClusterSnapshotIdentifier      string
	DBClusterIdentifier              string
	SnapshotCreateTime               string
	Engine                           string
	EngineVersion                    string
	Status                           string
	Port                             int32
	MasterUsername                   string `xml:",omitempty"`
	SnapshotType                     string
	StorageEncrypted                 bool
	KmsKeyId                         string `xml:",omitempty"`
	DBClusterSnapshotArn             string
	SourceDBClusterSnapshotArn       string `xml:",omitempty"`
	DbClusterResourceId              string
	AllocatedStorage                 int32
	PercentProgress                  int32
	IAMDatabaseAuthenticationEnabled bool
	StorageType                      string
}

type createClusterSnapshotResult struct {
	XMLName           struct{} `xml:"CreateDBClusterSnapshotResult"`
	DBClusterSnapshot xmlClusterSnapshot
}

type copyClusterSnapshotResult struct {
	XMLName           struct{} `xml:"CopyDBClusterSnapshotResult"`
	DBClusterSnapshot xmlClusterSnapshot
}

type describeClusterSnapshotsResult struct {
	XMLName            struct{}             `xml:"DescribeDBClusterSnapshotsResult"`
	DBClusterSnapshots []xmlClusterSnapshot `xml:"DBClusterSnapshots>DBClusterSnapshot"`
	Marker             string               `xml:",omitempty"`
}

func (s *Service) clusterSnapshotXML(sn *clusterSnapshot) xmlClusterSnapshot {
	port := sn.Port
	if port == 0 {
		port = enginePort(sn.Engine)
	}
	st := sn.at(s.now())
	progress := int32(100)
	if st != statusAvailable {
		progress = 0
	}
	return xmlClusterSnapshot{DBClusterSnapshotIdentifier: sn.ID, DBClusterIdentifier: sn.ClusterID,
		SnapshotCreateTime: rdsTime(sn.CreatedAt), Engine: sn.Engine, EngineVersion: sn.EngineVersion, Status: st,
		Port: port, MasterUsername: sn.MasterUsername, SnapshotType: "manual", StorageEncrypted: sn.Encrypted,
		KmsKeyId: sn.KmsKeyID, DBClusterSnapshotArn: arn(s.env.Partition, sn.Region, sn.Account, "cluster-snapshot", sn.ID),
		SourceDBClusterSnapshotArn: sn.SourceARN, DbClusterResourceId: sn.ClusterResource, PercentProgress: progress,
		StorageType: "aurora"}
}

// addClusterSnapshot stores sn; s.mu held.
func (s *Service) addClusterSnapshot(sn *clusterSnapshot) *awsproto.Error {
	if s.csnaps[sn.scope()][sn.ID] != nil {
		return awsproto.Errorf("DBClusterSnapshotAlreadyExistsFault",
			"Cannot create the cluster snapshot because one with the identifier %s already exists.", sn.ID)
	}
	if err := s.persist(kindClusterSnapshot, storeKey(sn.Account, sn.Region, sn.ID), sn); err != nil {
		return err
	}
	put(s.csnaps, sn.scope(), sn.ID, sn)
	return nil
}

// createClusterSnapshot snapshots an available cluster (the cluster is
// backing-up meanwhile).
func (s *Service) createClusterSnapshot(c *svc.Call, p params) (any, *awsproto.Error) {
	sid, err := p.identifier("DBClusterSnapshotIdentifier")
	if err != nil {
		return nil, err
	}
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
	if st := cl.at(c.Now); st != statusAvailable {
		return nil, invalidClusterState(cl.ID, st, statusAvailable)
	}
	sn := &clusterSnapshot{Account: cl.Account, Region: cl.Region, ID: sid, ClusterID: cl.ID,
		ClusterResource: cl.ResourceID, Engine: cl.Engine, EngineVersion: cl.EngineVersion,
		Encrypted: cl.StorageEncrypted, KmsKeyID: cl.KmsKeyID, MasterUsername: cl.MasterUsername,
		Port: cl.Port, CreatedAt: c.Now}
	sn.begin(c.Now, statusAvailable, step{statusCreating, DurSnapshot})
	if err := s.addClusterSnapshot(sn); err != nil {
		return nil, err
	}
	next := *cl
	next.begin(c.Now, statusAvailable, step{statusBackingUp, DurSnapshot})
	if err := s.replaceCluster(cl, &next); err != nil {
		return nil, err
	}
	return createClusterSnapshotResult{DBClusterSnapshot: s.clusterSnapshotXML(sn)}, nil
}

// copyClusterSnapshot copies within the account and Region; with KmsKeyId
// (a key ARN for a key of another account) the copy is encrypted under it.
func (s *Service) copyClusterSnapshot(c *svc.Call, p params) (any, *awsproto.Error) {
	src, err := p.required("SourceDBClusterSnapshotIdentifier")
	if err != nil {
		return nil, err
	}
	tid, err := p.identifier("TargetDBClusterSnapshotIdentifier")
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
	orig := s.csnaps[sc][idFromRef(src)]
	if orig == nil {
		return nil, notFound("DBClusterSnapshotNotFoundFault", "DBClusterSnapshot", src)
	}
	if st := orig.at(c.Now); st != statusAvailable {
		return nil, invalidSnapshotState("InvalidDBClusterSnapshotStateFault", orig.ID, st)
	}
	cp := *orig
	cp.ID, cp.CreatedAt = tid, c.Now
	cp.SourceARN = arn(s.env.Partition, orig.Region, orig.Account, "cluster-snapshot", orig.ID)
	if keyARN != "" {
		cp.Encrypted, cp.KmsKeyID = true, keyARN
	}
	cp.begin(c.Now, statusAvailable, step{statusCreating, DurCopy})
	if err := s.addClusterSnapshot(&cp); err != nil {
		return nil, err
	}
	return copyClusterSnapshotResult{DBClusterSnapshot: s.clusterSnapshotXML(&cp)}, nil
}

func (s *Service) describeClusterSnapshots(c *svc.Call, p params) (any, *awsproto.Error) {
	sc := scope{c.Caller.Account, c.Region}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []string
	clFilter := idFromRef(p.str("DBClusterIdentifier"))
	if id := p.str("DBClusterSnapshotIdentifier"); id != "" {
		if s.csnaps[sc][idFromRef(id)] == nil {
			return nil, notFound("DBClusterSnapshotNotFoundFault", "DBClusterSnapshot", id)
		}
		ids = []string{idFromRef(id)}
	} else {
		for sid, sn := range s.csnaps[sc] {
			if clFilter == "" || sn.ClusterID == clFilter {
				ids = append(ids, sid)
			}
		}
	}
	ids, next, err := page(p, ids)
	if err != nil {
		return nil, err
	}
	out := describeClusterSnapshotsResult{DBClusterSnapshots: make([]xmlClusterSnapshot, 0, len(ids)), Marker: next}
	for _, id := range ids {
		out.DBClusterSnapshots = append(out.DBClusterSnapshots, s.clusterSnapshotXML(s.csnaps[sc][id]))
	}
	return out, nil
}
