package configsvc_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// Configuration field names as the AWS Config resource schema spells them
// (awslabs/aws-config-resource-schema): the DBCluster's lower-case "dbcluster…"
// names, the table's ssedescription.ssetype.
func TestSchemaFieldNames(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.seed(t)
	out, err := e.rds.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("orders-aurora"),
		Engine: aws.String("aurora-postgresql"), MasterUsername: aws.String("admin"), StorageEncrypted: aws.Bool(true),
		KmsKeyId: aws.String("alias/dev/rds")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.conf.BatchGetResourceConfig(ctx, &configservice.BatchGetResourceConfigInput{ResourceKeys: []types.ResourceKey{
		{ResourceType: types.ResourceTypeDBCluster, ResourceId: out.DBCluster.DbClusterResourceId},
		{ResourceType: types.ResourceTypeTable, ResourceId: aws.String("carts")}}})
	if err != nil || len(got.BaseConfigurationItems) != 2 {
		t.Fatalf("items: %+v, %v", got, err)
	}
	want := map[types.ResourceType][]string{
		types.ResourceTypeDBCluster: {"dbclusterIdentifier", "dbclusterMembers", "dbclusterArn", "dbClusterResourceId", "storageEncrypted", "kmsKeyId"},
		types.ResourceTypeTable:     {"tableName", "ssedescription"},
	}
	for _, it := range got.BaseConfigurationItems {
		var cfg map[string]any
		mustJSON(t, aws.ToString(it.Configuration), &cfg)
		for _, k := range want[it.ResourceType] {
			if _, ok := cfg[k]; !ok {
				t.Errorf("%s configuration lacks %q: %v", it.ResourceType, k, cfg)
			}
		}
		if sse, ok := cfg["ssedescription"].(map[string]any); ok && sse["ssetype"] != "KMS" {
			t.Errorf("ssedescription = %v, want ssetype KMS", sse)
		}
	}
}
