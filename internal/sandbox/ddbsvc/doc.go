// Package ddbsvc is the sandbox's Amazon DynamoDB control plane (JSON 1.0,
// target prefix DynamoDB_20120810): CreateTable, DescribeTable, ListTables,
// UpdateTable and DeleteTable, with server-side encryption as DynamoDB
// reports it (no SSEDescription for the AWS owned key; ENABLED/KMS with the
// key ARN for a KMS key, resolved through the sibling KMS service). It
// stores no items: the data plane is not byok's concern. It also lists its
// tables for the Config service.
package ddbsvc
