// Package regions knows the AWS Region names of every partition, as the
// aws-sdk-go-v2 partition metadata (internal/endpoints/awsrulesfn
// partitions.json, which the SDK does not export) lists them for the SDK
// version in go.mod. The estate validator and awsx refuse a Region that no
// partition lists (eu-west-9), so a typo fails before a scan silently
// lists nothing there. Regenerate after an SDK upgrade with
// go generate ./internal/regions. It does no I/O at run time.
package regions

//go:generate go run ./gen
