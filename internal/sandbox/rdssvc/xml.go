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
	DBInstanceIdentifier  string
	DBInstanceClass       string
	Engine                string
	DBInstanceStatus      string
	MasterUsername        string `xml:",omitempty"`
	DBName                string `xml:",omitempty"`
	Endpoint              *xmlEndpoint
	AllocatedStorage      int32
	InstanceCreateTime    string
	BackupRetentionPeriod int32
	AvailabilityZone      string
	MultiAZ               bool
	EngineVersion         string
	PubliclyAccessible    bool
	StorageType           string
	DbInstancePort        int32
	DBClusterIdentifier   string `xml:",omitempty"`
	StorageEncrypted      bool
	KmsKeyId              string `xml:",omitempty"`
	DbiResourceId         string
	DBInstanceArn         string
	DeletionProtection    bool
}

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

func (s *Service) instanceXML(i *instance) xmlInstance {
	x := xmlInstance{DBInstanceIdentifier: i.ID, DBInstanceClass: i.Class, Engine: i.Engine,
		DBInstanceStatus: i.Status, MasterUsername: i.MasterUsername, DBName: i.DBName,
		AllocatedStorage: i.AllocatedStorage, InstanceCreateTime: rdsTime(i.CreatedAt),
		BackupRetentionPeriod: 1, AvailabilityZone: i.Region + "a", EngineVersion: i.EngineVersion,
		StorageType: "gp3", DbInstancePort: 0, DBClusterIdentifier: i.ClusterID,
		StorageEncrypted: i.StorageEncrypted, KmsKeyId: i.KmsKeyID, DbiResourceId: i.ResourceID,
		DBInstanceArn: arn(s.env.Partition, i.Region, i.Account, "db", i.ID)}
	if i.Status == statusAvailable {
		x.Endpoint = &xmlEndpoint{Address: i.ID + "." + endpointSuffix(i.Account, i.Region),
			Port: enginePort(i.Engine), HostedZoneId: "Z29XKXDKYMONMX"}
	}
	if aurora(i.Engine) {
		x.StorageType = "aurora"
	}
	return x
}

func (s *Service) clusterXML(c *cluster, members []xmlMember) xmlCluster {
	return xmlCluster{DBClusterIdentifier: c.ID, Status: c.Status, Engine: c.Engine,
		EngineVersion: c.EngineVersion, MasterUsername: c.MasterUsername, DatabaseName: c.DatabaseName,
		Endpoint: c.ID + ".cluster-" + endpointSuffix(c.Account, c.Region), DBClusterMembers: members,
		StorageEncrypted: c.StorageEncrypted, KmsKeyId: c.KmsKeyID, DbClusterResourceId: c.ResourceID,
		DBClusterArn: arn(s.env.Partition, c.Region, c.Account, "cluster", c.ID), ClusterCreateTime: rdsTime(c.CreatedAt)}
}

func (s *Service) snapshotXML(sn *snapshot) xmlSnapshot {
	return xmlSnapshot{DBSnapshotIdentifier: sn.ID, DBInstanceIdentifier: sn.InstanceID,
		SnapshotCreateTime: rdsTime(sn.CreatedAt), Engine: sn.Engine, AllocatedStorage: sn.AllocatedStorage,
		Status: statusAvailable, MasterUsername: sn.MasterUsername, EngineVersion: sn.EngineVersion,
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
