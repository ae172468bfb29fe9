package ddbsvc

import (
	"time"
)

type scope struct{ account, region string }

// KeyElement and AttributeDefinition are DynamoDB's wire shapes.
type keyElement struct {
	AttributeName string `json:"AttributeName"`
	KeyType       string `json:"KeyType"`
}

type attributeDefinition struct {
	AttributeName string `json:"AttributeName"`
	AttributeType string `json:"AttributeType"`
}

// table is a table as the sandbox stores it. KeyARN "" means the AWS owned
// key (DynamoDB's default, not visible in DescribeTable).
type table struct {
	Account     string                `json:"account"`
	Region      string                `json:"region"`
	Name        string                `json:"name"`
	ID          string                `json:"id"`
	KeySchema   []keyElement          `json:"keySchema"`
	Attributes  []attributeDefinition `json:"attributes"`
	BillingMode string                `json:"billingMode"`
	RCU         int64                 `json:"rcu,omitempty"`
	WCU         int64                 `json:"wcu,omitempty"`
	KeyARN      string                `json:"keyArn,omitempty"`
	// SSEUntil is when a key switch under way ends (UPDATING until then).
	SSEUntil time.Time `json:"sseUntil,omitzero"`
	// SSESwitches are the times of switches to a KMS key, for the daily
	// limit (awslimits.NextSSESwitch).
	SSESwitches []time.Time `json:"sseSwitches,omitempty"`
	CreatedAt   time.Time   `json:"createdAt"`
	ChangedAt   time.Time   `json:"changedAt"`
}

func (t *table) scope() scope { return scope{t.Account, t.Region} }

func (t *table) arn(partition string) string {
	return "arn:" + partition + ":dynamodb:" + t.Region + ":" + t.Account + ":table/" + t.Name
}

func storeKey(account, region, name string) string { return account + "/" + region + "/" + name }

// Wire shapes of TableDescription.
type sseDescription struct {
	Status          string `json:"Status"`
	SSEType         string `json:"SSEType"`
	KMSMasterKeyArn string `json:"KMSMasterKeyArn"`
}

type throughput struct {
	ReadCapacityUnits      int64 `json:"ReadCapacityUnits"`
	WriteCapacityUnits     int64 `json:"WriteCapacityUnits"`
	NumberOfDecreasesToday int64 `json:"NumberOfDecreasesToday"`
}

type billingSummary struct {
	BillingMode string `json:"BillingMode"`
}

type tableDescription struct {
	TableName                 string                `json:"TableName"`
	TableArn                  string                `json:"TableArn"`
	TableId                   string                `json:"TableId"`
	TableStatus               string                `json:"TableStatus"`
	KeySchema                 []keyElement          `json:"KeySchema"`
	AttributeDefinitions      []attributeDefinition `json:"AttributeDefinitions"`
	CreationDateTime          float64               `json:"CreationDateTime"`
	ProvisionedThroughput     throughput            `json:"ProvisionedThroughput"`
	BillingModeSummary        *billingSummary       `json:"BillingModeSummary,omitempty"`
	TableSizeBytes            int64                 `json:"TableSizeBytes"`
	ItemCount                 int64                 `json:"ItemCount"`
	SSEDescription            *sseDescription       `json:"SSEDescription,omitempty"`
	DeletionProtectionEnabled bool                  `json:"DeletionProtectionEnabled"`
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (s *Service) describe(t *table, status string) tableDescription {
	d := tableDescription{TableName: t.Name, TableArn: t.arn(s.env.Partition), TableId: t.ID, TableStatus: status,
		KeySchema: t.KeySchema, AttributeDefinitions: t.Attributes, CreationDateTime: epoch(t.CreatedAt),
		ProvisionedThroughput: throughput{ReadCapacityUnits: t.RCU, WriteCapacityUnits: t.WCU}}
	if t.BillingMode == billingPayPerRequest {
		d.BillingModeSummary = &billingSummary{BillingMode: billingPayPerRequest}
	}
	if t.KeyARN != "" {
		d.SSEDescription = &sseDescription{Status: "ENABLED", SSEType: "KMS", KMSMasterKeyArn: t.KeyARN}
	}
	if now := s.env.Clock.Now(); now.Before(t.SSEUntil) {
		if d.TableStatus == statusActive {
			d.TableStatus = statusUpdating
		}
		if d.SSEDescription != nil {
			d.SSEDescription.Status = "UPDATING"
		}
	}
	return d
}
