package rdssvc

import (
	"encoding/xml"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

const xmlns = "http://rds.amazonaws.com/doc/2014-10-31/"

// response is <OpResponse xmlns=…><OpResult>…</OpResult><ResponseMetadata>.
// Each result type names its own element with a static XMLName tag.
type response struct {
	XMLName xml.Name
	Xmlns   string                    `xml:"xmlns,attr"`
	Result  any                       `xml:""`
	Meta    awsproto.ResponseMetadata `xml:"ResponseMetadata"`
}

func envelope(op, requestID string, result any) response {
	return response{XMLName: xml.Name{Local: op + "Response"}, Xmlns: xmlns, Result: result,
		Meta: awsproto.ResponseMetadata{RequestID: requestID}}
}

type xmlEndpoint struct {
	Address      string
	Port         int32
	HostedZoneId string
}

type xmlInstance struct {
	DBInstanceIdentifier   string
	DBInstanceClass        string
	Engine                 string
	DBInstanceStatus       string
	MasterUsername         string `xml:",omitempty"`
	DBName                 string `xml:",omitempty"`
	Endpoint               *xmlEndpoint
	AllocatedStorage       int32
	InstanceCreateTime     string
	BackupRetentionPeriod  int32
	AvailabilityZone       string
	MultiAZ                bool
	EngineVersion          string
	PubliclyAccessible     bool
	StorageType            string
	DbInstancePort         int32
	DBSubnetGroup          *xmlSubnetGroup
	DBParameterGroups      []xmlParameterGroup `xml:"DBParameterGroups>DBParameterGroup"`
	OptionGroupMemberships []xmlOptionGroup    `xml:"OptionGroupMemberships>OptionGroupMembership"`
	VpcSecurityGroups      []xmlSecurityGroup  `xml:"VpcSecurityGroups>VpcSecurityGroupMembership"`
	PromotionTier          *int32              `xml:",omitempty"`
	TagList                []xmlTag            `xml:"TagList>Tag"`
	DBClusterIdentifier    string              `xml:",omitempty"`
	StorageEncrypted       bool
	KmsKeyId               string `xml:",omitempty"`
	DbiResourceId          string
	DBInstanceArn          string
	DeletionProtection     bool
}

type xmlSubnetGroup struct{ DBSubnetGroupName string }

type xmlParameterGroup struct{ DBParameterGroupName, ParameterApplyStatus string }

type xmlOptionGroup struct{ OptionGroupName, Status string }

type xmlSecurityGroup struct{ VpcSecurityGroupId, Status string }

type xmlTag struct{ Key, Value string }

type xmlMember struct {
	DBInstanceIdentifier string
	IsClusterWriter      bool
	PromotionTier        int32
}

type xmlCluster struct {
	DBClusterIdentifier string
	Status              string
	Engine              string
	EngineVersion       string
	MasterUsername      string      `xml:",omitempty"`
	DatabaseName        string      `xml:",omitempty"`
	Endpoint            string      `xml:",omitempty"`
	DBClusterMembers    []xmlMember `xml:"DBClusterMembers>DBClusterMember"`
	StorageEncrypted    bool
	KmsKeyId            string `xml:",omitempty"`
	DbClusterResourceId string
	DBClusterArn        string
	ClusterCreateTime   string
	MultiAZ             bool
	DeletionProtection  bool
	Port                int32
	DBSubnetGroup       string             `xml:",omitempty"`
	VpcSecurityGroups   []xmlSecurityGroup `xml:"VpcSecurityGroups>VpcSecurityGroupMembership"`
	TagList             []xmlTag           `xml:"TagList>Tag"`
}

type xmlSnapshot struct {
	DBSnapshotIdentifier       string
	DBInstanceIdentifier       string
	SnapshotCreateTime         string
	Engine                     string
	AllocatedStorage           int32
	Status                     string
	MasterUsername             string `xml:",omitempty"`
	EngineVersion              string
	SnapshotType               string
	Encrypted                  bool
	KmsKeyId                   string `xml:",omitempty"`
	DBSnapshotArn              string
	SourceDBSnapshotIdentifier string `xml:",omitempty"`
	DbiResourceId              string
	StorageType                string
}

func rdsTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// now is the sandbox clock, for statuses read outside a call.
func (s *Service) now() time.Time { return s.env.Clock.Now() }

func (s *Service) instanceXML(i *instance) xmlInstance {
	status := i.at(s.now())
	x := xmlInstance{DBInstanceIdentifier: i.ID, DBInstanceClass: i.Class, Engine: i.Engine,
		DBInstanceStatus: status, MasterUsername: i.MasterUsername, DBName: i.DBName,
		AllocatedStorage: i.AllocatedStorage, InstanceCreateTime: rdsTime(i.CreatedAt),
		BackupRetentionPeriod: 1, AvailabilityZone: i.Region + "a", EngineVersion: i.EngineVersion,
		StorageType: "gp3", DbInstancePort: 0, DBClusterIdentifier: i.ClusterID, MultiAZ: i.MultiAZ,
		StorageEncrypted: i.StorageEncrypted, KmsKeyId: i.KmsKeyID, DbiResourceId: i.ResourceID,
		DBInstanceArn: arn(s.env.Partition, i.Region, i.Account, "db", i.ID)}
	port := i.port()
	if status != statusCreating {
		// The address follows the identifier: a rename moves it.
		x.Endpoint = &xmlEndpoint{Address: i.ID + "." + endpointSuffix(i.Account, i.Region),
			Port: port, HostedZoneId: "Z29XKXDKYMONMX"}
	}
	placementXML(&x, i)
	if aurora(i.Engine) {
		x.StorageType = "aurora"
	}
	return x
}

func (s *Service) clusterXML(c *cluster, members []xmlMember) xmlCluster {
	port := c.Port
	if port == 0 {
		port = enginePort(c.Engine)
	}
	return xmlCluster{DBClusterIdentifier: c.ID, Status: c.at(s.now()), Engine: c.Engine, Port: port,
		DBSubnetGroup: c.SubnetGroup, VpcSecurityGroups: securityGroupsXML(c.SecurityGroups), TagList: tagsXML(c.Tags),
		MultiAZ:       c.MultiAZ,
		EngineVersion: c.EngineVersion, MasterUsername: c.MasterUsername, DatabaseName: c.DatabaseName,
		Endpoint: c.ID + ".cluster-" + endpointSuffix(c.Account, c.Region), DBClusterMembers: members,
		StorageEncrypted: c.StorageEncrypted, KmsKeyId: c.KmsKeyID, DbClusterResourceId: c.ResourceID,
		DBClusterArn: arn(s.env.Partition, c.Region, c.Account, "cluster", c.ID), ClusterCreateTime: rdsTime(c.CreatedAt)}
}

func (s *Service) snapshotXML(sn *snapshot) xmlSnapshot {
	return xmlSnapshot{DBSnapshotIdentifier: sn.ID, DBInstanceIdentifier: sn.InstanceID,
		SnapshotCreateTime: rdsTime(sn.CreatedAt), Engine: sn.Engine, AllocatedStorage: sn.AllocatedStorage,
		Status: sn.at(s.now()), MasterUsername: sn.MasterUsername, EngineVersion: sn.EngineVersion,
		SnapshotType: "manual", Encrypted: sn.Encrypted, KmsKeyId: sn.KmsKeyID,
		DBSnapshotArn:              arn(s.env.Partition, sn.Region, sn.Account, "snapshot", sn.ID),
		SourceDBSnapshotIdentifier: sn.SourceARN, DbiResourceId: sn.DbiResourceID, StorageType: "gp3"}
}

// endpointSuffix mimics RDS's per-account DNS label (12 chars).
func endpointSuffix(account, region string) string {
	return "c" + account[len(account)-min(11, len(account)):] + "." + region + ".rds.amazonaws.com"
}

func enginePort(engine string) int32 {
	switch engine {
	case "postgres", "aurora-postgresql":
		return 5432
	case "oracle-ee", "oracle-se2":
		return 1521
	case "sqlserver-ee", "sqlserver-se", "sqlserver-ex", "sqlserver-web":
		return 1433
	}
	return 3306
}
