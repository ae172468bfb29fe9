package rdssvc

import "time"

// scope is one account in one Region: RDS resources are regional.
type scope struct{ account, region string }

// instance is a DB instance as the sandbox stores it.
type instance struct {
	Account       string `json:"account"`
	Region        string `json:"region"`
	ID            string `json:"id"`
	ResourceID    string `json:"resourceId"`
	Class         string `json:"class"`
	Engine        string `json:"engine"`
	EngineVersion string `json:"engineVersion"`
	lifecycle
	ClusterID     string `json:"clusterId,omitempty"`
	PromotionTier int32  `json:"promotionTier,omitempty"`
	placement
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
	Account       string `json:"account"`
	Region        string `json:"region"`
	ID            string `json:"id"`
	ResourceID    string `json:"resourceId"`
	Engine        string `json:"engine"`
	EngineVersion string `json:"engineVersion"`
	lifecycle
	placement
	StorageEncrypted bool      `json:"storageEncrypted"`
	KmsKeyID         string    `json:"kmsKeyId,omitempty"`
	MasterUsername   string    `json:"masterUsername,omitempty"`
	DatabaseName     string    `json:"databaseName,omitempty"`
	CreatedAt        time.Time `json:"createdAt"`
	ChangedAt        time.Time `json:"changedAt"`
}

// placement is where and how an instance or cluster runs: what a restore
// must repeat so the re-keyed copy is a drop-in replacement.
type placement struct {
	SubnetGroup    string   `json:"subnetGroup,omitempty"`
	ParameterGroup string   `json:"parameterGroup,omitempty"`
	OptionGroup    string   `json:"optionGroup,omitempty"`
	SecurityGroups []string `json:"securityGroups,omitempty"`
	MultiAZ        bool     `json:"multiAZ,omitempty"`
	Port           int32    `json:"port,omitempty"`
	Tags           []tag    `json:"tags,omitempty"`
}

// tag is an RDS resource tag.
type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
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
	Port             int32     `json:"port,omitempty"`
	lifecycle
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

// clusterSnapshot is a manual DB cluster snapshot.
type clusterSnapshot struct {
	Account         string    `json:"account"`
	Region          string    `json:"region"`
	ID              string    `json:"id"`
	ClusterID       string    `json:"clusterId"`
	ClusterResource string    `json:"clusterResourceId"`
	Engine          string    `json:"engine"`
	EngineVersion   string    `json:"engineVersion"`
	Encrypted       bool      `json:"encrypted"`
	KmsKeyID        string    `json:"kmsKeyId,omitempty"`
	MasterUsername  string    `json:"masterUsername,omitempty"`
	Port            int32     `json:"port,omitempty"`
	SourceARN       string    `json:"sourceArn,omitempty"`
	CreatedAt       time.Time `json:"createdAt"`
	lifecycle
}

func (s *clusterSnapshot) scope() scope { return scope{s.Account, s.Region} }
