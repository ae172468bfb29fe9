package configrule

import (
	"errors"
	"github.com/aws/aws-lambda-go/events"
	"testing"

	"github.com/byok-dev/byok/internal/compliance"
)

func TestDecodeFixtures(t *testing.T) {
	tests := map[string]struct {
		msg        MessageType
		leftScope  bool
		typ        compliance.ResourceType
		id, name   string
		enc        compliance.Encryption
		keyRef     string
		deleted    bool
		noResource bool // oversized: the summary has no configuration
	}{
		"change-rds-instance.json":     {MessageChange, false, compliance.RDSInstance, "db-7QWERTYUIOPASDFGHJKLZXCVBN", "orders-db", compliance.EncryptionKMS, keyARN(idDevRDS), false, false},
		"change-rds-unencrypted.json":  {MessageChange, false, compliance.RDSInstance, "db-7QWERTYUIOPASDFGHJKLZXCVBN", "orders-db", compliance.EncryptionNone, "", false, false},
		"change-rds-cluster.json":      {MessageChange, false, compliance.RDSCluster, "cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ", "orders-aurora", compliance.EncryptionKMS, keyARN(idDevRDS), false, false},
		"change-dynamodb-kms.json":     {MessageChange, false, compliance.DynamoDBTable, "orders", "orders", compliance.EncryptionKMS, keyARN(idDevDDB), false, false},
		"change-dynamodb-default.json": {MessageChange, false, compliance.DynamoDBTable, "orders", "orders", compliance.EncryptionAWSOwned, "", false, false},
		"change-s3-kms-string.json":    {MessageChange, false, compliance.S3Bucket, "dev-orders-archive", "dev-orders-archive", compliance.EncryptionKMS, keyARN(idDevS3), false, false},
		"change-s3-kms-object.json":    {MessageChange, false, compliance.S3Bucket, "dev-orders-archive", "dev-orders-archive", compliance.EncryptionKMS, keyARN(idDevS3), false, false},
		"change-s3-aes256.json":        {MessageChange, false, compliance.S3Bucket, "dev-orders-archive", "dev-orders-archive", compliance.EncryptionSSES3, "", false, false},
		"change-s3-nodefault.json":     {MessageChange, false, compliance.S3Bucket, "dev-orders-archive", "dev-orders-archive", compliance.EncryptionNone, "", false, false},
		"change-s3-aws-managed.json":   {MessageChange, false, compliance.S3Bucket, "dev-orders-archive", "dev-orders-archive", compliance.EncryptionKMS, "alias/aws/s3", false, false},
		"deleted-s3.json":              {MessageChange, false, compliance.S3Bucket, "dev-orders-archive", "dev-orders-archive", compliance.EncryptionUnknown, "", true, false},
		"leftscope-dynamodb.json":      {MessageChange, true, compliance.DynamoDBTable, "orders", "orders", compliance.EncryptionKMS, keyARN(idDevDDB), false, false},
		"oversized-rds-instance.json":  {MessageOversized, false, compliance.RDSInstance, "db-7QWERTYUIOPASDFGHJKLZXCVBN", "orders-db", 0, "", false, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ev, err := DecodeEvent(loadEvent(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Type != tc.msg || ev.LeftScope != tc.leftScope || ev.Account != devAcct || !ev.Item.CaptureTime.Equal(captureTime) {
				t.Fatalf("event = %v leftScope=%v account=%s capture=%v", ev.Type, ev.LeftScope, ev.Account, ev.Item.CaptureTime)
			}
			if ev.Params.MaxKeyAge != 365*day || ev.Params.ExpiryWarning != 30*day {
				t.Fatalf("params = %+v", ev.Params)
			}
			r, err := ResourceFromItem(*ev.Item)
			if tc.noResource {
				if !errors.Is(err, ErrItem) {
					t.Fatalf("oversized summary decoded without configuration: err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := compliance.Resource{Type: tc.typ, ID: tc.id, Name: tc.name, ARN: r.ARN, Account: devAcct, Region: region,
				Encryption: tc.enc, KeyRef: tc.keyRef, Deleted: tc.deleted}
			if r != want || r.ARN == "" {
				t.Fatalf("resource =\n %+v\nwant\n %+v", r, want)
			}
		})
	}
}

func TestDecodeScheduled(t *testing.T) {
	ev, err := DecodeEvent(loadEvent(t, "scheduled.json"))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != MessageScheduled || ev.Item != nil || !ev.NotificationTime.Equal(scheduleTime) || ev.Account != devAcct {
		t.Fatalf("event = %+v", ev)
	}
	if ev.ExecutionRoleARN != "arn:aws:iam::222222222222:role/byok-config-rule-member" || ev.RuleName != ruleName {
		t.Fatalf("role/rule = %q %q", ev.ExecutionRoleARN, ev.RuleName)
	}
}

func TestDecodeEventErrors(t *testing.T) {
	base := loadEvent(t, "change-rds-instance.json")
	tests := map[string]struct {
		mutate func(ev *events.ConfigEvent)
		field  string
		class  error
	}{
		"not json": {func(ev *events.ConfigEvent) { ev.InvokingEvent = "{" }, "invokingEvent", ErrEvent},
		"unknown type": {func(ev *events.ConfigEvent) {
			ev.InvokingEvent = `{"messageType":"ConfigurationSnapshotDeliveryCompleted"}`
		}, "invokingEvent.messageType", ErrEvent},
		"no item": {func(ev *events.ConfigEvent) {
			ev.InvokingEvent = `{"messageType":"ConfigurationItemChangeNotification"}`
		}, "invokingEvent.configurationItem", ErrEvent},
		"no capture time": {func(ev *events.ConfigEvent) {
			ev.InvokingEvent = `{"messageType":"ConfigurationItemChangeNotification","configurationItem":{"resourceType":"AWS::S3::Bucket","resourceId":"b"}}`
		}, "invokingEvent.configurationItem.configurationItemCaptureTime", ErrEvent},
		"no token":          {func(ev *events.ConfigEvent) { ev.ResultToken = "" }, "resultToken", ErrEvent},
		"scheduled no time": {func(ev *events.ConfigEvent) { ev.InvokingEvent = `{"messageType":"ScheduledNotification"}` }, "invokingEvent.notificationCreationTime", ErrEvent},
		"bad params":        {func(ev *events.ConfigEvent) { ev.RuleParameters = `{"maxKeyAgeDay":"365"}` }, "ruleParameters.maxKeyAgeDay", ErrParameters},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ev := base
			tc.mutate(&ev)
			_, err := DecodeEvent(ev)
			var fe *FieldError
			if !errors.Is(err, tc.class) || !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err = %v, want %v on %s", err, tc.class, tc.field)
			}
		})
	}
}

func TestResourceFromItemErrors(t *testing.T) {
	tests := map[string]struct {
		item  ConfigItem
		field string
	}{
		"rds id is the name": {ConfigItem{ResourceType: "AWS::RDS::DBInstance", ResourceID: "orders-db", Configuration: []byte(`{"storageEncrypted":true,"kmsKeyId":"k"}`)}, "resourceId"},
		"cluster id":         {ConfigItem{ResourceType: "AWS::RDS::DBCluster", ResourceID: "db-X", Configuration: []byte(`{}`)}, "resourceId"},
		"encrypted no key":   {ConfigItem{ResourceType: "AWS::RDS::DBInstance", ResourceID: "db-X", Configuration: []byte(`{"storageEncrypted":true}`)}, "configuration.kmsKeyId"},
		"no storageEnc":      {ConfigItem{ResourceType: "AWS::RDS::DBInstance", ResourceID: "db-X", Configuration: []byte(`{}`)}, "configuration.storageEncrypted"},
		"no configuration":   {ConfigItem{ResourceType: "AWS::DynamoDB::Table", ResourceID: "t"}, "configuration"},
		"bad configuration":  {ConfigItem{ResourceType: "AWS::DynamoDB::Table", ResourceID: "t", Configuration: []byte(`"{not json"`)}, "configuration"},
		"s3 algorithm":       {ConfigItem{ResourceType: "AWS::S3::Bucket", ResourceID: "b", Supplementary: []byte(`{"ServerSideEncryptionConfiguration":"{\"rules\":[{\"applyServerSideEncryptionByDefault\":{\"sseAlgorithm\":\"ROT13\"}}]}"}`)}, "supplementaryConfiguration.ServerSideEncryptionConfiguration.rules[].applyServerSideEncryptionByDefault.sseAlgorithm"},
		"s3 bad supp":        {ConfigItem{ResourceType: "AWS::S3::Bucket", ResourceID: "b", Supplementary: []byte(`{"ServerSideEncryptionConfiguration":"[1"}`)}, "supplementaryConfiguration.ServerSideEncryptionConfiguration"},
		"other type":         {ConfigItem{ResourceType: "AWS::EC2::Volume", ResourceID: "vol-1"}, "resourceType"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ResourceFromItem(tc.item)
			var fe *FieldError
			if !errors.Is(err, ErrItem) || !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err = %v, want ErrItem on %s", err, tc.field)
			}
		})
	}
}

// The API (GetResourceConfigHistory, BatchGetResourceConfig) returns the
// configuration and every supplementary value as JSON strings, with the
// casing of the SDK's DescribeTable (SSEDescription / KMSMasterKeyArn).
func TestResourceFromAPIStrings(t *testing.T) {
	ddb := ConfigItem{ResourceType: "AWS::DynamoDB::Table", ResourceID: "t",
		Configuration: rawOrString(strPtr(`{"SSEDescription":{"Status":"ENABLED","SSEType":"KMS","KMSMasterKeyArn":"` + keyARN(idDevDDB) + `"}}`))}
	s3 := ConfigItem{ResourceType: "AWS::S3::Bucket", ResourceID: "b", Configuration: rawOrString(strPtr(`{}`)),
		Supplementary: supplementary(map[string]string{"serversideencryptionconfiguration": `{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms:dsse","KMSMasterKeyID":"` + keyARN(idDevS3) + `"}}]}`})}
	for _, tc := range []struct {
		it  ConfigItem
		key string
	}{{ddb, keyARN(idDevDDB)}, {s3, keyARN(idDevS3)}} {
		r, err := ResourceFromItem(tc.it)
		if err != nil || r.Encryption != compliance.EncryptionKMS || r.KeyRef != tc.key {
			t.Fatalf("%s: %+v, %v", tc.it.ResourceType, r, err)
		}
	}
}

func strPtr(s string) *string { return &s }
