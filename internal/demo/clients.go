package demo

import (
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/inventory"
	"github.com/byok-dev/byok/internal/keyfacts"
	"github.com/byok-dev/byok/internal/rotation"
)

// clients hands out SDK clients acting in an estate account and region
// (operator role in the Security account, verify role elsewhere), each
// built once from the explicit sandbox configuration.
type clients struct {
	accounts *awsx.Accounts
	mu       sync.Mutex
	cache    map[[3]string]any
}

func newClients(a *awsx.Accounts) *clients {
	return &clients{accounts: a, cache: map[[3]string]any{}}
}

func (c *clients) get(service, account, region string, mk func(aws.Config) any) any {
	k := [3]string{service, account, region}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.cache[k]; ok {
		return v
	}
	v := mk(awsx.WithRegion(c.accounts.For(account), region))
	c.cache[k] = v
	return v
}

func (c *clients) kms(account, region string) *kms.Client {
	return c.get("kms", account, region, func(cfg aws.Config) any { return kms.NewFromConfig(cfg) }).(*kms.Client)
}

func (c *clients) trail(account, region string) *cloudtrail.Client {
	return c.get("cloudtrail", account, region, func(cfg aws.Config) any { return cloudtrail.NewFromConfig(cfg) }).(*cloudtrail.Client)
}

// RDS, DynamoDB and S3 implement inventory.Clients.
func (c *clients) RDS(account, region string) inventory.RDS {
	return c.get("rds", account, region, func(cfg aws.Config) any { return rds.NewFromConfig(cfg) }).(*rds.Client)
}

func (c *clients) DynamoDB(account, region string) inventory.DynamoDB {
	return c.get("dynamodb", account, region, func(cfg aws.Config) any { return dynamodb.NewFromConfig(cfg) }).(*dynamodb.Client)
}

func (c *clients) S3(account, region string) inventory.S3 {
	return c.get("s3", account, region, func(cfg aws.Config) any { return awsx.S3(cfg) }).(*s3.Client)
}

func (c *clients) keyFacts(account, region string) keyfacts.KMS { return c.kms(account, region) }

// rotClients adapts clients to rotation.Clients (Go matches method result
// types exactly, so one type cannot serve both interfaces).
type rotClients struct{ c *clients }

func (r rotClients) KMS(account, region string) rotation.KMS { return r.c.kms(account, region) }
func (r rotClients) Crypto(account, region string) rotation.CryptoKMS {
	return r.c.kms(account, region)
}
func (r rotClients) Trail(account, region string) rotation.Trail {
	return r.c.trail(account, region)
}
