package rdssvc

import (
	"slices"

	"github.com/byok-dev/byok/internal/sandbox/configsvc"
)

// configInstance is AWS::RDS::DBInstance's configuration as Config records
// it: the DescribeDBInstances shape with Config's Java-bean casing.
type configInstance struct {
	DBInstanceIdentifier string          `json:"dBInstanceIdentifier"`
	DBInstanceClass      string          `json:"dBInstanceClass"`
	Engine               string          `json:"engine"`
	DBInstanceStatus     string          `json:"dBInstanceStatus"`
	MasterUsername       string          `json:"masterUsername,omitempty"`
	DBName               string          `json:"dBName,omitempty"`
	Endpoint             *configEndpoint `json:"endpoint"`
	AllocatedStorage     int32           `json:"allocatedStorage"`
	InstanceCreateTime   string          `json:"instanceCreateTime"`
	AvailabilityZone     string          `json:"availabilityZone"`
	MultiAZ              bool            `json:"multiAZ"`
	EngineVersion        string          `json:"engineVersion"`
	PubliclyAccessible   bool            `json:"publiclyAccessible"`
	StorageType          string          `json:"storageType"`
	DBClusterIdentifier  *string         `json:"dBClusterIdentifier"`
	StorageEncrypted     bool            `json:"storageEncrypted"`
	KmsKeyID             *string         `json:"kmsKeyId"`
	DbiResourceID        string          `json:"dbiResourceId"`
	DBInstanceArn        string          `json:"dBInstanceArn"`
	DeletionProtection   bool            `json:"deletionProtection"`
}

type configEndpoint struct {
	Address      string `json:"address"`
	Port         int32  `json:"port"`
	HostedZoneID string `json:"hostedZoneId"`
}

type configMember struct {
	DBInstanceIdentifier string `json:"dbinstanceIdentifier"`
	IsClusterWriter      bool   `json:"isClusterWriter"`
	PromotionTier        int32  `json:"promotionTier"`
}

// configCluster is AWS::RDS::DBCluster's configuration, spelled as the AWS
// Config resource schema does: dbclusterIdentifier, dbclusterMembers,
// dbclusterArn (unlike DBInstance's dBInstanceIdentifier).
type configCluster struct {
	DBClusterIdentifier string         `json:"dbclusterIdentifier"`
	Status              string         `json:"status"`
	Engine              string         `json:"engine"`
	EngineVersion       string         `json:"engineVersion"`
	MasterUsername      string         `json:"masterUsername,omitempty"`
	DatabaseName        string         `json:"databaseName,omitempty"`
	Endpoint            string         `json:"endpoint"`
	DBClusterMembers    []configMember `json:"dbclusterMembers"`
	StorageEncrypted    bool           `json:"storageEncrypted"`
	KmsKeyID            *string        `json:"kmsKeyId"`
	DbClusterResourceID string         `json:"dbClusterResourceId"`
	DBClusterArn        string         `json:"dbclusterArn"`
	ClusterCreateTime   string         `json:"clusterCreateTime"`
	DeletionProtection  bool           `json:"deletionProtection"`
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Items implements configsvc.Source: the account's instances and clusters
// in region, keyed by DbiResourceId / DbClusterResourceId as Config keys them.
func (s *Service) Items(account, region string) []configsvc.Item {
	sc := scope{account, region}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]configsvc.Item, 0, len(s.instances[sc])+len(s.clusters[sc]))
	for _, i := range s.instances[sc] {
		out = append(out, s.instanceItem(i))
	}
	for _, cl := range s.clusters[sc] {
		out = append(out, s.clusterItem(cl))
	}
	slices.SortFunc(out, func(a, b configsvc.Item) int { return cmpItem(a, b) })
	return out
}

func cmpItem(a, b configsvc.Item) int {
	if a.ResourceType != b.ResourceType {
		if a.ResourceType < b.ResourceType {
			return -1
		}
		return 1
	}
	switch {
	case a.ResourceName < b.ResourceName:
		return -1
	case a.ResourceName > b.ResourceName:
		return 1
	}
	return 0
}

func (s *Service) instanceItem(i *instance) configsvc.Item {
	x := s.instanceXML(i)
	cfg := configInstance{DBInstanceIdentifier: x.DBInstanceIdentifier, DBInstanceClass: x.DBInstanceClass,
		Engine: x.Engine, DBInstanceStatus: x.DBInstanceStatus, MasterUsername: x.MasterUsername, DBName: x.DBName,
		AllocatedStorage: x.AllocatedStorage, InstanceCreateTime: x.InstanceCreateTime,
		AvailabilityZone: x.AvailabilityZone, EngineVersion: x.EngineVersion, StorageType: x.StorageType,
		DBClusterIdentifier: strOrNil(x.DBClusterIdentifier), StorageEncrypted: x.StorageEncrypted,
		KmsKeyID: strOrNil(x.KmsKeyId), DbiResourceID: x.DbiResourceId, DBInstanceArn: x.DBInstanceArn}
	if x.Endpoint != nil {
		cfg.Endpoint = &configEndpoint{Address: x.Endpoint.Address, Port: x.Endpoint.Port, HostedZoneID: x.Endpoint.HostedZoneId}
	}
	return configsvc.Item{ResourceType: configsvc.TypeDBInstance, ResourceID: i.ResourceID, ResourceName: i.ID,
		ARN: x.DBInstanceArn, Account: i.Account, Region: i.Region, AvailabilityZone: x.AvailabilityZone,
		CreatedAt: i.CreatedAt, ChangedAt: i.ChangedAt, Configuration: configsvc.MustJSON(cfg),
		Supplementary: map[string]string{}, Tags: map[string]string{}}
}

func (s *Service) clusterItem(cl *cluster) configsvc.Item {
	x := s.clusterXML(cl, s.members(cl))
	cfg := configCluster{DBClusterIdentifier: x.DBClusterIdentifier, Status: x.Status, Engine: x.Engine,
		EngineVersion: x.EngineVersion, MasterUsername: x.MasterUsername, DatabaseName: x.DatabaseName,
		Endpoint: x.Endpoint, DBClusterMembers: []configMember{}, StorageEncrypted: x.StorageEncrypted,
		KmsKeyID: strOrNil(x.KmsKeyId), DbClusterResourceID: x.DbClusterResourceId, DBClusterArn: x.DBClusterArn,
		ClusterCreateTime: x.ClusterCreateTime}
	for _, m := range x.DBClusterMembers {
		cfg.DBClusterMembers = append(cfg.DBClusterMembers, configMember(m))
	}
	return configsvc.Item{ResourceType: configsvc.TypeDBCluster, ResourceID: cl.ResourceID, ResourceName: cl.ID,
		ARN: x.DBClusterArn, Account: cl.Account, Region: cl.Region, CreatedAt: cl.CreatedAt,
		ChangedAt: cl.ChangedAt, Configuration: configsvc.MustJSON(cfg),
		Supplementary: map[string]string{}, Tags: map[string]string{}}
}
