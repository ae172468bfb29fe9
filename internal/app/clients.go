package app

import (
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/inventory"
	"github.com/byok-dev/byok/internal/keyfacts"
	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/watch"
)

// Clients hands out SDK clients acting in an estate account and Region:
// the Security account through the operator role, consumer accounts
// through the verify role (awsx.Accounts), each client built once and
// cached. The typed methods return concrete clients; Inventory, Rotation
// and KeyFacts adapt them to the narrow interfaces of those packages (Go
// interfaces match method results exactly, so one type cannot satisfy
// all three).
type Clients struct {
	accounts  *awsx.Accounts
	transport *http.Transport

	mu    sync.Mutex
	cache map[clientSlot]any

	paceOnce sync.Once
	pace     *pace.Pacer
}

type clientSlot struct{ service, account, region string }

// maxIdlePerHost keeps a connection for every call a scan has in flight
// (inventory.DefaultConcurrency × DefaultPerTarget): the SDK's default of
// 10 idle connections per host makes a busy scan redial constantly, and
// against one endpoint (the sandbox, a VPC endpoint) every client shares
// the host.
const maxIdlePerHost = 128

// NewClients builds the client cache over base (the caller's credentials
// and endpoint, in the estate's primary Region). Every client shares one
// HTTP transport, which Close releases.
func NewClients(base aws.Config, est *estate.Estate) *Clients {
	tr := awshttp.NewBuildableClient().GetTransport()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 0, maxIdlePerHost
	base.HTTPClient = &http.Client{Transport: tr}
	return &Clients{accounts: awsx.NewAccounts(base, est.SecurityAccount, est.Roles.Operator, est.Roles.Verify),
		transport: tr, cache: map[clientSlot]any{}}
}

// Accounts is the per-account configuration the clients are built from.
func (c *Clients) Accounts() *awsx.Accounts { return c.accounts }

// Close closes the idle connections of every client (a connection the
// server never saw a request on would delay an in-process sandbox's
// shutdown).
func (c *Clients) Close() { c.transport.CloseIdleConnections() }

func (c *Clients) client(service, account, region string, mk func(aws.Config) any) any {
	slot := clientSlot{service, account, region}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.cache[slot]; ok {
		return v
	}
	v := mk(awsx.WithRegion(c.accounts.For(account), region))
	c.cache[slot] = v
	return v
}

// KMS acts in account/region (key facts, rotation, Encrypt/Decrypt).
func (c *Clients) KMS(account, region string) *kms.Client {
	return c.client("kms", account, region, func(cfg aws.Config) any { return kms.NewFromConfig(cfg) }).(*kms.Client)
}

// RDS acts in account/region.
func (c *Clients) RDS(account, region string) *rds.Client {
	return c.client("rds", account, region, func(cfg aws.Config) any { return rds.NewFromConfig(cfg) }).(*rds.Client)
}

// DynamoDB acts in account/region.
func (c *Clients) DynamoDB(account, region string) *dynamodb.Client {
	return c.client("dynamodb", account, region, func(cfg aws.Config) any { return dynamodb.NewFromConfig(cfg) }).(*dynamodb.Client)
}

// S3 acts in account/region, path-style against a custom endpoint.
func (c *Clients) S3(account, region string) *s3.Client {
	return c.client("s3", account, region, func(cfg aws.Config) any { return awsx.S3(cfg) }).(*s3.Client)
}

// CloudTrail acts in account/region.
func (c *Clients) CloudTrail(account, region string) *cloudtrail.Client {
	return c.client("cloudtrail", account, region, func(cfg aws.Config) any { return cloudtrail.NewFromConfig(cfg) }).(*cloudtrail.Client)
}

// Logs (CloudWatch Logs) acts in account/region.
func (c *Clients) Logs(account, region string) *cloudwatchlogs.Client {
	return c.client("logs", account, region, func(cfg aws.Config) any { return cloudwatchlogs.NewFromConfig(cfg) }).(*cloudwatchlogs.Client)
}

// Events (EventBridge) acts in account/region.
func (c *Clients) Events(account, region string) *eventbridge.Client {
	return c.client("events", account, region, func(cfg aws.Config) any { return eventbridge.NewFromConfig(cfg) }).(*eventbridge.Client)
}

// SecurityHub acts in account/region (a finding is imported from its own
// account, in its Region).
func (c *Clients) SecurityHub(account, region string) *securityhub.Client {
	return c.client("securityhub", account, region, func(cfg aws.Config) any { return securityhub.NewFromConfig(cfg) }).(*securityhub.Client)
}

// Inventory adapts c to inventory.Clients.
func (c *Clients) Inventory() inventory.Clients { return invClients{c} }

// Rotation adapts c to rotation.Clients.
func (c *Clients) Rotation() rotation.Clients { return rotClients{c} }

// KeyFacts returns the client function keyfacts.Reader takes.
func (c *Clients) KeyFacts() func(account, region string) keyfacts.KMS {
	return func(account, region string) keyfacts.KMS { return c.KMS(account, region) }
}

type invClients struct{ c *Clients }

func (i invClients) RDS(account, region string) inventory.RDS { return i.c.RDS(account, region) }
func (i invClients) DynamoDB(account, region string) inventory.DynamoDB {
	return i.c.DynamoDB(account, region)
}
func (i invClients) S3(account, region string) inventory.S3 { return i.c.S3(account, region) }

type rotClients struct{ c *Clients }

func (r rotClients) KMS(account, region string) rotation.KMS { return r.c.KMS(account, region) }
func (r rotClients) Crypto(account, region string) rotation.CryptoKMS {
	return r.c.KMS(account, region)
}
func (r rotClients) Trail(account, region string) rotation.Trail {
	return r.c.CloudTrail(account, region)
}

// rotClients reads the eventbridge watch source too.
var _ rotation.WatchClients = rotClients{}

func (r rotClients) Logs(account, region string) watch.LogsReader { return r.c.Logs(account, region) }
func (r rotClients) Rules(account, region string) watch.Rules     { return r.c.Events(account, region) }
