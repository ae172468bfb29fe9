package ddbsvc

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// DefaultKeyAlias is the AWS managed key DynamoDB uses for SSE Enabled
// without a KMSMasterKeyId.
const DefaultKeyAlias = "alias/aws/dynamodb"

const (
	billingProvisioned   = "PROVISIONED"
	billingPayPerRequest = "PAY_PER_REQUEST"
)

type sseSpecification struct {
	Enabled        *bool
	SSEType        string
	KMSMasterKeyId string
}

type provisionedInput struct {
	ReadCapacityUnits  int64
	WriteCapacityUnits int64
}

type createTableInput struct {
	TableName             string
	KeySchema             []keyElement
	AttributeDefinitions  []attributeDefinition
	BillingMode           string
	ProvisionedThroughput *provisionedInput
	SSESpecification      *sseSpecification
}

func (s *Service) createTable(c *svc.Call) (any, *awsproto.Error) {
	var in createTableInput
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	t, err := newTable(c, &in)
	if err != nil {
		return nil, err
	}
	if t.KeyARN, err = s.sseKey(c, in.SSESpecification); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tables[t.scope()][t.Name] != nil {
		return nil, awsproto.Errorf("ResourceInUseException", "Table already exists: %s", t.Name)
	}
	if err := s.persist(t); err != nil {
		return nil, err
	}
	s.put(t)
	return tableDescriptionOutput{TableDescription: s.describe(t, statusCreating)}, nil
}

// newTable validates the schema part of CreateTable.
func newTable(c *svc.Call, in *createTableInput) (*table, *awsproto.Error) {
	if err := checkName(in.TableName, "tableName"); err != nil {
		return nil, err
	}
	if err := checkKeys(in.KeySchema, in.AttributeDefinitions); err != nil {
		return nil, err
	}
	t := &table{Account: c.Caller.Account, Region: c.Region, Name: in.TableName, ID: uuid(),
		KeySchema: in.KeySchema, Attributes: in.AttributeDefinitions, BillingMode: in.BillingMode,
		CreatedAt: c.Now, ChangedAt: c.Now}
	if t.BillingMode == "" {
		t.BillingMode = billingProvisioned
	}
	return t, applyBilling(t, in.BillingMode, in.ProvisionedThroughput)
}

func applyBilling(t *table, mode string, pt *provisionedInput) *awsproto.Error {
	if mode != "" {
		t.BillingMode = mode
	}
	switch t.BillingMode {
	case billingPayPerRequest:
		if pt != nil {
			return validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
		t.RCU, t.WCU = 0, 0
	case billingProvisioned:
		if pt == nil {
			if t.RCU > 0 {
				return nil
			}
			return validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		if pt.ReadCapacityUnits < 1 || pt.WriteCapacityUnits < 1 {
			return validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must be at least 1")
		}
		t.RCU, t.WCU = pt.ReadCapacityUnits, pt.WriteCapacityUnits
	default:
		return validation("1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: "+
			"Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", t.BillingMode)
	}
	return nil
}

// checkKeys: a HASH key first, an optional RANGE key, each defined in
// AttributeDefinitions with type S, N or B, and no unused definitions.
func checkKeys(ks []keyElement, defs []attributeDefinition) *awsproto.Error {
	if len(ks) < 1 || len(ks) > 2 || ks[0].KeyType != "HASH" || (len(ks) == 2 && ks[1].KeyType != "RANGE") {
		return validation("1 validation error detected: Value at 'keySchema' failed to satisfy constraint: " +
			"Member must have a HASH key first and at most one RANGE key")
	}
	types := map[string]string{}
	for _, d := range defs {
		if d.AttributeType != "S" && d.AttributeType != "N" && d.AttributeType != "B" {
			return validation("1 validation error detected: Value '%s' at 'attributeDefinitions.member.attributeType' "+
				"failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", d.AttributeType)
		}
		types[d.AttributeName] = d.AttributeType
	}
	for _, k := range ks {
		if _, ok := types[k.AttributeName]; !ok || k.AttributeName == "" {
			return validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: %d", k.AttributeName, len(defs))
		}
	}
	if len(defs) != len(ks) {
		return validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	return nil
}

// sseKey returns the key ARN for an SSESpecification: "" (AWS owned key)
// when absent or disabled; the resolved KMS key otherwise.
func (s *Service) sseKey(c *svc.Call, spec *sseSpecification) (string, *awsproto.Error) {
	if spec == nil || spec.Enabled == nil || !*spec.Enabled {
		if spec != nil && spec.KMSMasterKeyId != "" {
			return "", validation("One or more parameter values were invalid: KMSMasterKeyId can only be specified when SSESpecification Enabled is true")
		}
		return "", nil
	}
	switch spec.SSEType {
	case "", "KMS":
	case "AES256":
		return "", validation("One or more parameter values were invalid: SSEType AES256 is not supported; use KMS or disable SSE for the AWS owned key")
	default:
		return "", validation("1 validation error detected: Value '%s' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]", spec.SSEType)
	}
	ref := spec.KMSMasterKeyId
	if ref == "" {
		ref = DefaultKeyAlias
	}
	keyARN, err := s.keys.ResolveKey(*c, ref)
	if err != nil {
		return "", validation("One or more parameter values were invalid: KMSMasterKeyId %s does not exist, is not enabled or you do not have permissions to access it", ref)
	}
	return keyARN, nil
}

type updateTableInput struct {
	TableName             string
	BillingMode           string
	ProvisionedThroughput *provisionedInput
	SSESpecification      *sseSpecification
}

// updateTable re-keys a table (SSESpecification: UPDATING for
// DurSSEUpdate, within the daily switch limit; recorded in CloudTrail) or
// changes its billing.
func (s *Service) updateTable(c *svc.Call) (any, *awsproto.Error) {
	var in updateTableInput
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	out, err := s.update(c, &in)
	if in.SSESpecification != nil {
		tableARN := in.TableName
		if !strings.HasPrefix(tableARN, "arn:") {
			tableARN = "arn:" + s.env.Partition + ":dynamodb:" + c.Region + ":" + c.Caller.Account + ":table/" + in.TableName
		}
		s.recordUpdate(c, tableARN, in.SSESpecification, err)
	}
	return out, err
}

func (s *Service) update(c *svc.Call, in *updateTableInput) (any, *awsproto.Error) {
	if in.SSESpecification == nil && in.BillingMode == "" && in.ProvisionedThroughput == nil {
		return nil, validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
	}
	keyARN := ""
	if in.SSESpecification != nil {
		var err *awsproto.Error
		if keyARN, err = s.sseKey(c, in.SSESpecification); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(c, in.TableName)
	if err != nil {
		return nil, err
	}
	next := *t
	if in.SSESpecification != nil {
		if err := s.switchKey(c, &next, keyARN); err != nil {
			return nil, err
		}
	}
	if in.BillingMode != "" || in.ProvisionedThroughput != nil {
		if err := applyBilling(&next, in.BillingMode, in.ProvisionedThroughput); err != nil {
			return nil, err
		}
	}
	next.ChangedAt = c.Now
	if err := s.persist(&next); err != nil {
		return nil, err
	}
	s.put(&next)
	return tableDescriptionOutput{TableDescription: s.describe(&next, statusUpdating)}, nil
}

func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
