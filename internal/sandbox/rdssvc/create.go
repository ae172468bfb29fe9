package rdssvc

import (
	"crypto/rand"
	"encoding/base32"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// DefaultKeyAlias is the AWS managed key RDS uses when StorageEncrypted is
// set without a KmsKeyId.
const DefaultKeyAlias = "alias/aws/rds"

type createInstanceResult struct {
	XMLName    struct{} `xml:"CreateDBInstanceResult"`
	DBInstance xmlInstance
}

type createClusterResult struct {
	XMLName   struct{} `xml:"CreateDBClusterResult"`
	DBCluster xmlCluster
}

// resourceID returns prefix + 26 upper-case alphanumerics, the shape of
// DbiResourceId (db-…) and DbClusterResourceId (cluster-…).
func resourceID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
}

// resolveKey resolves a KmsKeyId as RDS does at creation: through KMS, in
// the caller's account, to the key ARN RDS then stores.
func (s *Service) resolveKey(c *svc.Call, ref string) (string, *awsproto.Error) {
	if ref == "" {
		ref = DefaultKeyAlias
	}
	keyARN, err := s.keys.ResolveKey(*c, ref)
	if err != nil {
		return "", awsproto.Errorf("KMSKeyNotAccessibleFault",
			"The specified KMS key [%s] does not exist, is not enabled or you do not have permissions to access it.", ref)
	}
	return keyARN, nil
}

// encryption reads StorageEncrypted/KmsKeyId and resolves the key.
func (s *Service) encryption(c *svc.Call, p params) (bool, string, *awsproto.Error) {
	enc, err := p.bool("StorageEncrypted")
	if err != nil {
		return false, "", err
	}
	ref := p.str("KmsKeyId")
	if !enc {
		if ref != "" {
			return false, "", combination("KmsKeyId can be specified only when StorageEncrypted is true.")
		}
		return false, "", nil
	}
	keyARN, err := s.resolveKey(c, ref)
	return true, keyARN, err
}

func (s *Service) createInstance(c *svc.Call, p params) (any, *awsproto.Error) {
	i, err := s.newInstance(c, p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i.ClusterID != "" {
		if err := s.joinCluster(i, p); err != nil {
			return nil, err
		}
	}
	if s.instances[i.scope()][i.ID] != nil {
		return nil, awsproto.Errorf("DBInstanceAlreadyExists", "DB instance already exists")
	}
	if err := s.persist(kindInstance, storeKey(i.Account, i.Region, i.ID), i); err != nil {
		return nil, err
	}
	put(s.instances, i.scope(), i.ID, i)
	x := s.instanceXML(i)
	x.DBInstanceStatus, x.Endpoint = statusCreating, nil
	return createInstanceResult{DBInstance: x}, nil
}

// newInstance validates a CreateDBInstance request outside the lock.
func (s *Service) newInstance(c *svc.Call, p params) (*instance, *awsproto.Error) {
	id, err := p.identifier("DBInstanceIdentifier")
	if err != nil {
		return nil, err
	}
	class, err := p.required("DBInstanceClass")
	if err != nil {
		return nil, err
	}
	engine, err := p.required("Engine")
	if err != nil {
		return nil, err
	}
	i := &instance{Account: c.Caller.Account, Region: c.Region, ID: id, ResourceID: resourceID("db-"),
		Class: class, Engine: engine, EngineVersion: p.str("EngineVersion"), lifecycle: lifecycle{Status: statusAvailable},
		MasterUsername: p.str("MasterUsername"), DBName: p.str("DBName"), CreatedAt: c.Now, ChangedAt: c.Now}
	if i.EngineVersion == "" {
		i.EngineVersion = defaultVersion(engine)
	}
	if ref := p.str("DBClusterIdentifier"); ref != "" {
		i.ClusterID, i.AllocatedStorage = idFromRef(ref), 1
		if i.PromotionTier, err = p.int32("PromotionTier", 1); err != nil {
			return nil, err
		}
		if i.PromotionTier < 0 || i.PromotionTier > 15 {
			return nil, invalidValue("Invalid value %d for PromotionTier. Must be between 0 and 15.", i.PromotionTier)
		}
		i.begin(c.Now, statusAvailable, step{statusCreating, DurMember})
		return i, nil
	}
	if aurora(engine) {
		return nil, combination("The engine %s requires DBClusterIdentifier: create the DB cluster first.", engine)
	}
	if i.AllocatedStorage, err = p.int32("AllocatedStorage", 0); err != nil {
		return nil, err
	}
	if i.AllocatedStorage < 20 || i.AllocatedStorage > 65536 {
		return nil, invalidValue("Invalid storage size for engine name %s and storage type gp3: %d", engine, i.AllocatedStorage)
	}
	i.StorageEncrypted, i.KmsKeyID, err = s.encryption(c, p)
	return i, err
}

// joinCluster makes i an Aurora member: encryption comes from the cluster.
// Called with s.mu held.
func (s *Service) joinCluster(i *instance, p params) *awsproto.Error {
	cl := s.clusters[i.scope()][i.ClusterID]
	if cl == nil {
		return notFound("DBClusterNotFoundFault", "DBCluster", i.ClusterID)
	}
	if p.has("StorageEncrypted") || p.has("KmsKeyId") {
		return combination("The requested DB Instance will be a member of a DB Cluster. Set storage encryption for the DB Cluster.")
	}
	if st := cl.at(i.CreatedAt); st == statusStopped || st == statusStopping || st == statusDeleting {
		return invalidClusterState(cl.ID, st, "available")
	}
	if cl.Engine != i.Engine {
		return combination("The engine name requested for your DB instance (%s) doesn't match the engine name of your DB cluster (%s).", i.Engine, cl.Engine)
	}
	i.StorageEncrypted, i.KmsKeyID, i.EngineVersion = cl.StorageEncrypted, cl.KmsKeyID, cl.EngineVersion
	i.Port = cl.Port
	return nil
}

func (s *Service) createCluster(c *svc.Call, p params) (any, *awsproto.Error) {
	id, err := p.identifier("DBClusterIdentifier")
	if err != nil {
		return nil, err
	}
	engine, err := p.required("Engine")
	if err != nil {
		return nil, err
	}
	if !aurora(engine) {
		return nil, invalidValue("Invalid DB engine: %s. The sandbox creates Aurora clusters (aurora-mysql, aurora-postgresql).", engine)
	}
	cl := &cluster{Account: c.Caller.Account, Region: c.Region, ID: id, ResourceID: resourceID("cluster-"),
		Engine: engine, EngineVersion: p.str("EngineVersion"), lifecycle: lifecycle{Status: statusAvailable},
		MasterUsername: p.str("MasterUsername"), DatabaseName: p.str("DatabaseName"), CreatedAt: c.Now, ChangedAt: c.Now}
	if cl.EngineVersion == "" {
		cl.EngineVersion = defaultVersion(engine)
	}
	if cl.StorageEncrypted, cl.KmsKeyID, err = s.encryption(c, p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.clusters[cl.scope()][id] != nil {
		return nil, awsproto.Errorf("DBClusterAlreadyExistsFault", "DB Cluster already exists")
	}
	if err := s.persist(kindCluster, storeKey(cl.Account, cl.Region, id), cl); err != nil {
		return nil, err
	}
	put(s.clusters, cl.scope(), id, cl)
	x := s.clusterXML(cl, []xmlMember{})
	x.Status = statusCreating
	return createClusterResult{DBCluster: x}, nil
}

func defaultVersion(engine string) string {
	switch engine {
	case "aurora-mysql":
		return "8.0.mysql_aurora.3.08.0"
	case "aurora-postgresql", "postgres":
		return "16.6"
	case "mysql":
		return "8.0.40"
	case "mariadb":
		return "10.11.10"
	}
	return "1.0"
}
