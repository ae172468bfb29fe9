package ddbsvc

import (
	"slices"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/configsvc"
)

// Config records AWS::DynamoDB::Table from the Java model, hence its odd
// casing: "ssedescription", "ssetype" and "kmsmasterKeyArn" (the names of
// the AWS Config resource schema, awslabs/aws-config-resource-schema).
type configTable struct {
	AttributeDefinitions  []configAttr     `json:"attributeDefinitions"`
	TableName             string           `json:"tableName"`
	KeySchema             []configKey      `json:"keySchema"`
	TableStatus           string           `json:"tableStatus"`
	CreationDateTime      int64            `json:"creationDateTime"`
	ProvisionedThroughput configThroughput `json:"provisionedThroughput"`
	TableSizeBytes        int64            `json:"tableSizeBytes"`
	ItemCount             int64            `json:"itemCount"`
	TableArn              string           `json:"tableArn"`
	TableID               string           `json:"tableId"`
	BillingModeSummary    *configBilling   `json:"billingModeSummary,omitempty"`
	SSEDescription        *configSSE       `json:"ssedescription,omitempty"`
}

type configAttr struct {
	AttributeName string `json:"attributeName"`
	AttributeType string `json:"attributeType"`
}

type configKey struct {
	AttributeName string `json:"attributeName"`
	KeyType       string `json:"keyType"`
}

type configThroughput struct {
	ReadCapacityUnits      int64 `json:"readCapacityUnits"`
	WriteCapacityUnits     int64 `json:"writeCapacityUnits"`
	NumberOfDecreasesToday int64 `json:"numberOfDecreasesToday"`
}

type configBilling struct {
	BillingMode string `json:"billingMode"`
}

type configSSE struct {
	Status          string `json:"status"`
	SSEType         string `json:"ssetype"`
	KMSMasterKeyArn string `json:"kmsmasterKeyArn"`
}

// Items implements configsvc.Source.
func (s *Service) Items(account, region string) []configsvc.Item {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ts := s.tables[scope{account, region}]
	out := make([]configsvc.Item, 0, len(ts))
	for _, t := range ts {
		out = append(out, s.item(t))
	}
	slices.SortFunc(out, func(a, b configsvc.Item) int { return strings.Compare(a.ResourceID, b.ResourceID) })
	return out
}

func (s *Service) item(t *table) configsvc.Item {
	cfg := configTable{TableName: t.Name, TableStatus: statusActive, CreationDateTime: t.CreatedAt.UnixMilli(),
		ProvisionedThroughput: configThroughput{ReadCapacityUnits: t.RCU, WriteCapacityUnits: t.WCU},
		TableArn:              t.arn(s.env.Partition), TableID: t.ID}
	for _, a := range t.Attributes {
		cfg.AttributeDefinitions = append(cfg.AttributeDefinitions, configAttr(a))
	}
	for _, k := range t.KeySchema {
		cfg.KeySchema = append(cfg.KeySchema, configKey(k))
	}
	if t.BillingMode == billingPayPerRequest {
		cfg.BillingModeSummary = &configBilling{BillingMode: billingPayPerRequest}
	}
	if t.KeyARN != "" {
		cfg.SSEDescription = &configSSE{Status: "ENABLED", SSEType: "KMS", KMSMasterKeyArn: t.KeyARN}
	}
	return configsvc.Item{ResourceType: configsvc.TypeTable, ResourceID: t.Name, ResourceName: t.Name,
		ARN: cfg.TableArn, Account: t.Account, Region: t.Region, CreatedAt: t.CreatedAt, ChangedAt: t.ChangedAt,
		Configuration: configsvc.MustJSON(cfg), Supplementary: map[string]string{}, Tags: map[string]string{}}
}
