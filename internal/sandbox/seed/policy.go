package seed

import (
	"encoding/json"
	"fmt"

	"github.com/byok-dev/byok/internal/estate"
)

// consumerActions are what a consumer account needs to use a key for its
// RDS, DynamoDB and S3 data (CreateGrant for RDS and DynamoDB).
var consumerActions = []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
	"kms:DescribeKey", "kms:CreateGrant"}

var verifyActions = []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}

type statement struct {
	Sid       string              `json:"Sid"`
	Effect    string              `json:"Effect"`
	Principal map[string][]string `json:"Principal"`
	Action    []string            `json:"Action"`
	Resource  string              `json:"Resource"`
}

// keyPolicy is the key policy of k: the Security account administers it,
// the environment's consumer account uses it, and the verify roles of the
// Security and consumer accounts can run canaries.
func keyPolicy(est *estate.Estate, k estate.Key) (string, error) {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Id":      "byok-" + k.Env + "-" + string(k.Service),
		"Statement": []statement{
			{Sid: "EnableSecurityAccountAdministration", Effect: "Allow", Action: []string{"kms:*"}, Resource: "*",
				Principal: map[string][]string{"AWS": {"arn:aws:iam::" + k.Account + ":root"}}},
			{Sid: "AllowConsumerAccountUse", Effect: "Allow", Action: consumerActions, Resource: "*",
				Principal: map[string][]string{"AWS": {"arn:aws:iam::" + k.Consumer + ":root"}}},
			{Sid: "AllowByokVerification", Effect: "Allow", Action: verifyActions, Resource: "*",
				Principal: map[string][]string{"AWS": {est.VerifyRole(k.Account), est.VerifyRole(k.Consumer)}}},
		},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("encode key policy: %w", err)
	}
	return string(b), nil
}
