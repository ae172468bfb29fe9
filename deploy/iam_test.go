package deploy_test

import (
	"encoding/json"
	"fmt"
	"strings"
)

// knownActions are the IAM actions byok's policies may use; each is an
// action that exists in the AWS Service Authorization Reference. A new
// action must be added here on purpose, after checking its name.
var knownActions = map[string]bool{
	// KMS
	"kms:CreateKey": true, "kms:DescribeKey": true, "kms:GetParametersForImport": true, "kms:ImportKeyMaterial": true,
	"kms:RotateKeyOnDemand": true, "kms:GetKeyRotationStatus": true, "kms:ListKeyRotations": true, "kms:TagResource": true,
	"kms:UpdateAlias": true, "kms:CreateAlias": true, "kms:ListAliases": true, "kms:GetKeyPolicy": true,
	"kms:Encrypt": true, "kms:Decrypt": true, "kms:ReplicateKey": true, "kms:ListResourceTags": true,
	"kms:ReEncryptFrom": true, "kms:ReEncryptTo": true, "kms:GenerateDataKey": true, "kms:GenerateDataKeyWithoutPlaintext": true,
	"kms:CreateGrant": true, "kms:ListGrants": true, "kms:RevokeGrant": true,
	// Config
	"config:PutEvaluations": true, "config:GetResourceConfigHistory": true, "config:ListDiscoveredResources": true,
	"config:BatchGetResourceConfig": true, "config:GetComplianceDetailsByConfigRule": true,
	// Others
	"sts:AssumeRole": true, "s3:GetObject": true, "ssm:GetParameter": true, "cloudtrail:LookupEvents": true,
	"logs:CreateLogStream": true, "logs:PutLogEvents": true,
	// The watch step's log group of failed KMS calls (watch.source: eventbridge)
	"logs:FilterLogEvents": true, "logs:DescribeLogGroups": true, "events:DescribeRule": true, "events:ListTargetsByRule": true,
	"rds:DescribeDBInstances": true, "rds:DescribeDBClusters": true, "dynamodb:ListTables": true, "dynamodb:DescribeTable": true,
	"s3:ListAllMyBuckets": true, "s3:GetEncryptionConfiguration": true,
	"s3:PutObject": true, "s3:DeleteObject": true, "s3:ListBucket": true,
	// Security Hub (scan --to-security-hub)
	"securityhub:BatchImportFindings": true, "securityhub:GetFindings": true,
	// Migration (byok migrate): RDS and Aurora snapshot/copy/restore/rename/stop, DynamoDB re-key, S3 in-place copies
	"rds:DescribeDBSnapshots": true, "rds:CreateDBSnapshot": true, "rds:CopyDBSnapshot": true,
	"rds:RestoreDBInstanceFromDBSnapshot": true, "rds:AddTagsToResource": true, "rds:ModifyDBInstance": true,
	"rds:StopDBInstance": true, "rds:StartDBInstance": true, "rds:DescribeDBClusterSnapshots": true,
	"rds:CreateDBClusterSnapshot": true, "rds:CopyDBClusterSnapshot": true, "rds:RestoreDBClusterFromSnapshot": true,
	"rds:CreateDBInstance": true, "rds:ModifyDBCluster": true, "rds:StopDBCluster": true, "rds:StartDBCluster": true,
	"dynamodb:UpdateTable": true, "s3:ListBucketVersions": true, "s3:GetBucketVersioning": true,
	"s3:PutEncryptionConfiguration": true, "s3:GetObjectTagging": true, "s3:PutObjectTagging": true,
	"s3:GetObjectRetention": true, "s3:GetObjectLegalHold": true, "s3:AbortMultipartUpload": true,
	// Retire (byok retire): disable, re-enable, schedule deletion of an old key
	"kms:DisableKey": true, "kms:EnableKey": true, "kms:ScheduleKeyDeletion": true,
	// S3 Batch Operations above --batch-threshold objects
	"s3:GetObjectVersion": true, "s3:CreateJob": true, "s3:DescribeJob": true, "iam:PassRole": true,
}

// checkPolicy checks one policy document: every action known, no
// wildcard action, and never a wildcard action on a wildcard resource.
func checkPolicy(where string, doc any) []string {
	m, ok := doc.(map[string]any)
	if !ok {
		return []string{where + ": policy is not an object"}
	}
	var bad []string
	for i, st := range asList(m["Statement"]) {
		s, ok := st.(map[string]any)
		if !ok {
			bad = append(bad, fmt.Sprintf("%s statement %d: not an object", where, i))
			continue
		}
		bad = append(bad, checkStatement(fmt.Sprintf("%s statement %d", where, i), s)...)
	}
	if len(asList(m["Statement"])) == 0 {
		bad = append(bad, where+": no statements")
	}
	return bad
}

func checkStatement(where string, s map[string]any) []string {
	var bad []string
	if s["NotAction"] != nil || s["NotResource"] != nil {
		bad = append(bad, where+": NotAction/NotResource are not allowed")
	}
	if e := s["Effect"]; e != "Allow" && e != "Deny" {
		bad = append(bad, fmt.Sprintf("%s: Effect %v", where, e))
	}
	wildAction := false
	for _, a := range asList(s["Action"]) {
		name, _ := a.(string)
		switch {
		case strings.Contains(name, "*"):
			wildAction = true
			bad = append(bad, where+": wildcard action "+name)
		case !knownActions[name]:
			bad = append(bad, where+": unknown action "+fmt.Sprint(a))
		}
	}
	if len(asList(s["Action"])) == 0 {
		bad = append(bad, where+": no Action")
	}
	for _, r := range asList(s["Resource"]) {
		if r == "*" && wildAction {
			bad = append(bad, where+": * action on * resource")
		}
	}
	return bad
}

// policies returns every IAM policy document in a template.
func (t *template) policies() map[string]any {
	out := map[string]any{}
	for name, r := range t.Resources {
		props, _ := r.(map[string]any)["Properties"].(map[string]any)
		if d := props["AssumeRolePolicyDocument"]; d != nil {
			out[name+".AssumeRolePolicyDocument"] = d
		}
		if d := props["PolicyDocument"]; d != nil {
			out[name+".PolicyDocument"] = jsonPolicy(d)
		}
		if d := props["KeyPolicy"]; d != nil {
			out[name+".KeyPolicy"] = d
		}
		for i, p := range asList(props["Policies"]) {
			pm, _ := p.(map[string]any)
			out[fmt.Sprintf("%s.Policies[%d]", name, i)] = pm["PolicyDocument"]
		}
	}
	return out
}

// flatten renders a template policy as its reviewed JSON twin: !Sub
// strings stay as written, !Ref X and !GetAtt R.A become ${X} and ${R.A}.
func flatten(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if s, ok := x["Fn::Sub"].(string); ok {
				return s
			}
			if s, ok := x["Ref"].(string); ok {
				return "${" + s + "}"
			}
			if l, ok := x["Fn::GetAtt"].([]any); ok && len(l) == 2 {
				return fmt.Sprintf("${%v.%v}", l[0], l[1])
			}
		}
		out := map[string]any{}
		for k, c := range x {
			out[k] = flatten(c)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, c := range x {
			out[i] = flatten(c)
		}
		return out
	}
	return v
}

// jsonPolicy decodes a policy CloudFormation takes as a JSON string
// (AWS::Logs::ResourcePolicy), written as !Sub so it may name resources:
// the ${…} placeholders sit inside JSON strings and stay as written. Any
// other policy is returned as is.
func jsonPolicy(d any) any {
	m, _ := d.(map[string]any)
	src, ok := m["Fn::Sub"].(string)
	if !ok {
		return d
	}
	var v any
	if err := json.Unmarshal([]byte(src), &v); err != nil {
		return "policy is not JSON: " + err.Error()
	}
	return v
}
