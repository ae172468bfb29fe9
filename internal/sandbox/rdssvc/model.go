package rdssvc

import "time"

// scope is one account in one Region: RDS resources are regional.
type scope struct{ account, region string }

// instance is a DB instance as the sandbox stores it.
type instance struct {
	Account          string    `json:"account"`
	Region           string    `json:"region"`
	ID               string    `json:"id"`
	ResourceID       string    `json:"resourceId"`
	Class            string    `json:"class"`
	Engine           string    `json:"engine"`
	EngineVersion    string    `json:"engineVersion"`
	Status           string    `json:"status"`
	ClusterID        string    `json:"clusterId,omitempty"`
	StorageEncrypted bool      `json:"storageEncrypted"`
	KmsKeyID         string    `json:"kmsKeyId,omitempty"`
	AllocatedStorage int32     `json:"allocatedStorage"`
	MasterUsername   string    `json:"masterUsername,omitempty"`
	DBName           string    `json:"dbName,omitempty"`
	CreatedAt        time.Time `json:"createdAt"`
	ChangedAt        time.Time `json:"changedAt"`
}

// cluster is an Aurora (or Multi-AZ) DB cluster.
type cluster struct {
	Account          string    `json:"account"`
	Region           string    `json:"region"`
	ID               string    `json:"id"`
	ResourceID       string    `json:"resourceId"`
	Engine           string    `json:"engine"`
	EngineVersion    string    `json:"engineVersion"`
	Status           string    `json:"status"`
	StorageEncrypted bool      `json:"storageEncrypted"`
	KmsKeyID         string    `json:"kmsKeyId,omitempty"`
	MasterUsername   string    `json:"masterUsername,omitempty"`
	DatabaseName     string    `json:"databaseName,omitempty"`
	CreatedAt        time.Time `json:"createdAt"`
	ChangedAt        time.Time `json:"changedAt"`
}

// snapshot is a manual DB snapshot of an instance.
type snapshot struct {
	Account          string    `json:"account"`
	Region           string    `json:"region"`
	ID               string    `json:"id"`
	InstanceID       string    `json:"instanceId"`
	DbiResourceID    string    `json:"dbiResourceId"`
	Engine           string    `json:"engine"`
	EngineVersion    string    `json:"engineVersion"`
	Class            string    `json:"class"`
	AllocatedStorage int32     `json:"allocatedStorage"`
	Encrypted        bool      `json:"encrypted"`
	KmsKeyID         string    `json:"kmsKeyId,omitempty"`
	MasterUsername   string    `json:"masterUsername,omitempty"`
	SourceARN        string    `json:"sourceArn,omitempty"`
	CreatedAt        time.Time `json:"createdAt"`
}

func arn(partition, region, account, kind, id string) string {
	return "arn:" + partition + ":rds:" + region + ":" + account + ":" + kind + ":" + id
}

func storeKey(account, region, id string) string { return account + "/" + region + "/" + id }

func (i *instance) scope() scope { return scope{i.Account, i.Region} }
func (c *cluster) scope() scope  { return scope{c.Account, c.Region} }
func (s *snapshot) scope() scope { return scope{s.Account, s.Region} }

// aurora reports whether engine runs only inside a DB cluster.
func aurora(engine string) bool {
	switch engine {
	case "aurora-mysql", "aurora-postgresql", "aurora":
		return true
	}
	return false
}
