package main

import (
	"context"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/inventory"
	"github.com/byok-dev/byok/internal/keyfacts"
	"github.com/byok-dev/byok/internal/rotation"
)

// awsEnv hands out SDK clients acting in an estate account and region: the
// Security account through the operator role, consumer accounts through
// the verify role (awsx.Accounts), each client built once and cached. The
// typed methods return concrete clients; Inventory, Rotation and KeyFacts
// adapt them to the narrow interfaces of those packages (Go interfaces
// match method results exactly, so one type cannot satisfy all three).
type awsEnv struct {
	accounts  *awsx.Accounts
	transport *http.Transport

	mu      sync.Mutex
	clients map[clientSlot]any
}

type clientSlot struct{ service, account, region string }

// maxIdlePerHost keeps a connection for every call a scan has in flight
// (inventory.DefaultConcurrency × DefaultPerTarget): the SDK's default of
// 10 idle connections per host makes a busy scan redial constantly, and
// against one endpoint (the sandbox, a VPC endpoint) every client shares
// the host.
const maxIdlePerHost = 128

// newAWSEnv loads the caller's AWS configuration in the estate's primary
// region (the SDK chain; AWS_ENDPOINT_URL honoured) with adaptive retry.
// Every client shares one HTTP transport (the SDK's defaults otherwise),
// which Close releases.
func newAWSEnv(ctx context.Context, est *estate.Estate) (*awsEnv, error) {
	base, err := awsx.Load(ctx, est.PrimaryRegion())
	if err != nil {
		return nil, err
	}
	tr := awshttp.NewBuildableClient().GetTransport()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 0, maxIdlePerHost
	base.HTTPClient = &http.Client{Transport: tr}
	return &awsEnv{accounts: awsx.NewAccounts(base, est.SecurityAccount, est.Roles.Operator, est.Roles.Verify),
		transport: tr, clients: map[clientSlot]any{}}, nil
}

// Close closes the idle connections of every client.
func (e *awsEnv) Close() { e.transport.CloseIdleConnections() }

// client returns the cached client of service in account/region, building
// it with mk on first use.
func (e *awsEnv) client(service, account, region string, mk func(aws.Config) any) any {
	slot := clientSlot{service, account, region}
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.clients[slot]; ok {
		return c
	}
	c := mk(awsx.WithRegion(e.accounts.For(account), region))
	e.clients[slot] = c
	return c
}

// KMS acts in account/region (key facts, rotation, management).
func (e *awsEnv) KMS(account, region string) *kms.Client {
	return e.client("kms", account, region, func(c aws.Config) any { return kms.NewFromConfig(c) }).(*kms.Client)
}

// Crypto is the KMS client used for Encrypt/Decrypt canaries; the same
// client as KMS, named for what rotation verification does with it.
func (e *awsEnv) Crypto(account, region string) *kms.Client { return e.KMS(account, region) }

// RDS acts in account/region.
func (e *awsEnv) RDS(account, region string) *rds.Client {
	return e.client("rds", account, region, func(c aws.Config) any { return rds.NewFromConfig(c) }).(*rds.Client)
}

// DynamoDB acts in account/region.
func (e *awsEnv) DynamoDB(account, region string) *dynamodb.Client {
	return e.client("dynamodb", account, region, func(c aws.Config) any { return dynamodb.NewFromConfig(c) }).(*dynamodb.Client)
}

// S3 acts in account/region, path-style against a custom endpoint.
func (e *awsEnv) S3(account, region string) *s3.Client {
	return e.client("s3", account, region, func(c aws.Config) any { return awsx.S3(c) }).(*s3.Client)
}

// CloudTrail acts in account/region.
func (e *awsEnv) CloudTrail(account, region string) *cloudtrail.Client {
	return e.client("cloudtrail", account, region, func(c aws.Config) any { return cloudtrail.NewFromConfig(c) }).(*cloudtrail.Client)
}

// Inventory adapts e to inventory.Clients.
func (e *awsEnv) Inventory() inventory.Clients { return invClients{e} }

// Rotation adapts e to rotation.Clients.
func (e *awsEnv) Rotation() rotation.Clients { return rotClientsOf{e} }

// KeyFacts returns the client function keyfacts.Reader takes.
func (e *awsEnv) KeyFacts() func(account, region string) keyfacts.KMS {
	return func(account, region string) keyfacts.KMS { return e.KMS(account, region) }
}

type invClients struct{ e *awsEnv }

func (c invClients) RDS(account, region string) inventory.RDS { return c.e.RDS(account, region) }
func (c invClients) DynamoDB(account, region string) inventory.DynamoDB {
	return c.e.DynamoDB(account, region)
}
func (c invClients) S3(account, region string) inventory.S3 { return c.e.S3(account, region) }

type rotClientsOf struct{ e *awsEnv }

func (c rotClientsOf) KMS(account, region string) rotation.KMS { return c.e.KMS(account, region) }
func (c rotClientsOf) Crypto(account, region string) rotation.CryptoKMS {
	return c.e.Crypto(account, region)
}
func (c rotClientsOf) Trail(account, region string) rotation.Trail {
	return c.e.CloudTrail(account, region)
}
