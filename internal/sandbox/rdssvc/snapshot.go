package rdssvc

import (
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type createSnapshotResult struct {
	XMLName    struct{} `xml:"CreateDBSnapshotResult"`
	DBSnapshot xmlSnapshot
}

type copySnapshotResult struct {
	XMLName    struct{} `xml:"CopyDBSnapshotResult"`
	DBSnapshot xmlSnapshot
}

type restoreResult struct {
	XMLName    struct{} `xml:"RestoreDBInstanceFromDBSnapshotResult"`
	DBInstance xmlInstance
}

func (s *Service) createSnapshot(c *svc.Call, p params) (any, *awsproto.Error) {
	sid, err := p.identifier("DBSnapshotIdentifier")
	if err != nil {
		return nil, err
	}
	iid, err := p.required("DBInstanceIdentifier")
	if err != nil {
		return nil, err
	}
	sc := scope{c.Caller.Account, c.Region}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.instances[sc][idFromRef(iid)]
	if i == nil {
		return nil, notFound("DBInstanceNotFound", "DBInstance", iid)
	}
	if i.ClusterID != "" {
		return nil, invalidValue("The specified instance is a member of a cluster and a snapshot cannot be created directly. Please use the CreateDBClusterSnapshot API instead.")
	}
	if st := i.at(c.Now); st != statusAvailable {
		return nil, invalidInstanceState(i.ID, st, statusAvailable)
	}
	sn := snapshotOf(i, sid, c)
	sn.begin(c.Now, statusAvailable, step{statusCreating, DurSnapshot})
	if err := s.addSnapshot(sn); err != nil {
		return nil, err
	}
	busy := *i
	busy.begin(c.Now, statusAvailable, step{statusBackingUp, DurSnapshot})
	if err := s.replaceInstance(i, &busy); err != nil {
		return nil, err
	}
	return createSnapshotResult{DBSnapshot: s.snapshotXML(sn)}, nil
}

func snapshotOf(i *instance, id string, c *svc.Call) *snapshot {
	return &snapshot{Account: i.Account, Region: i.Region, ID: id, InstanceID: i.ID, DbiResourceID: i.ResourceID,
		Engine: i.Engine, EngineVersion: i.EngineVersion, Class: i.Class, AllocatedStorage: i.AllocatedStorage,
		Encrypted: i.StorageEncrypted, KmsKeyID: i.KmsKeyID, MasterUsername: i.MasterUsername, CreatedAt: c.Now,
		Port: i.Port}
}

// addSnapshot stores sn; called with s.mu held.
func (s *Service) addSnapshot(sn *snapshot) *awsproto.Error {
	if s.snapshots[sn.scope()][sn.ID] != nil {
		return awsproto.Errorf("DBSnapshotAlreadyExists",
			"Cannot create the snapshot because a snapshot with the identifier %s already exists.", sn.ID)
	}
	if err := s.persist(kindSnapshot, storeKey(sn.Account, sn.Region, sn.ID), sn); err != nil {
		return err
	}
	put(s.snapshots, sn.scope(), sn.ID, sn)
	return nil
}

// copySnapshot copies within the account and Region; with KmsKeyId the
// copy is encrypted under that key (how RDS re-keys a database: snapshot,
// copy with the new key, restore).
func (s *Service) copySnapshot(c *svc.Call, p params) (any, *awsproto.Error) {
	src, err := p.required("SourceDBSnapshotIdentifier")
	if err != nil {
		return nil, err
	}
	tid, err := p.identifier("TargetDBSnapshotIdentifier")
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
	orig := s.snapshots[sc][idFromRef(src)]
	if orig == nil {
		return nil, notFound("DBSnapshotNotFound", "DBSnapshot", src)
	}
	if st := orig.at(c.Now); st != statusAvailable {
		return nil, invalidSnapshotState("InvalidDBSnapshotState", orig.ID, st)
	}
	cp := *orig
	cp.ID, cp.CreatedAt = tid, c.Now
	cp.begin(c.Now, statusAvailable, step{statusCreating, DurCopy})
	cp.SourceARN = arn(s.env.Partition, orig.Region, orig.Account, "snapshot", orig.ID)
	if keyARN != "" {
		cp.Encrypted, cp.KmsKeyID = true, keyARN
	}
	if err := s.addSnapshot(&cp); err != nil {
		return nil, err
	}
	return copySnapshotResult{DBSnapshot: s.snapshotXML(&cp)}, nil
}

// restoreInstance creates a new instance from a snapshot, on the
// snapshot's key (a new DbiResourceId: it is a new database).
func (s *Service) restoreInstance(c *svc.Call, p params) (any, *awsproto.Error) {
	id, err := p.identifier("DBInstanceIdentifier")
	if err != nil {
		return nil, err
	}
	sid, err := p.required("DBSnapshotIdentifier")
	if err != nil {
		return nil, err
	}
	if p.has("KmsKeyId") || p.has("StorageEncrypted") {
		return nil, combination("A restored DB instance is encrypted with its snapshot's key: copy the snapshot with KmsKeyId to change it.")
	}
	sc := scope{c.Caller.Account, c.Region}
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := s.snapshots[sc][idFromRef(sid)]
	if sn == nil {
		return nil, notFound("DBSnapshotNotFound", "DBSnapshot", sid)
	}
	if st := sn.at(c.Now); st != statusAvailable {
		return nil, invalidSnapshotState("InvalidDBSnapshotState", sn.ID, st)
	}
	if s.instances[sc][id] != nil {
		return nil, awsproto.Errorf("DBInstanceAlreadyExists", "DB instance already exists")
	}
	pl, err := p.placement(placement{Port: sn.Port})
	if err != nil {
		return nil, err
	}
	i := &instance{Account: sc.account, Region: sc.region, ID: id, ResourceID: resourceID("db-"),
		Class: sn.Class, Engine: sn.Engine, EngineVersion: sn.EngineVersion, placement: pl,
		StorageEncrypted: sn.Encrypted, KmsKeyID: sn.KmsKeyID, AllocatedStorage: sn.AllocatedStorage,
		MasterUsername: sn.MasterUsername, CreatedAt: c.Now, ChangedAt: c.Now}
	i.begin(c.Now, statusAvailable, step{statusCreating, DurRestore}, step{statusBackingUp, DurBackup})
	if class := p.str("DBInstanceClass"); class != "" {
		i.Class = class
	}
	if err := s.persist(kindInstance, storeKey(i.Account, i.Region, i.ID), i); err != nil {
		return nil, err
	}
	put(s.instances, sc, id, i)
	return restoreResult{DBInstance: s.instanceXML(i)}, nil
}
