package inventory

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/byok-dev/byok/internal/compliance"
)

// listTables pages ListTables (100 per page) and describes each table with
// at most per calls in flight. No SSEDescription means the AWS-owned key.
func listTables(ctx context.Context, c DynamoDB, t Target, per int) ([]compliance.Resource, error) {
	var names []string
	p := dynamodb.NewListTablesPaginator(c, &dynamodb.ListTablesInput{Limit: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list tables: %w", err)
		}
		names = append(names, page.TableNames...)
	}
	out := make([]compliance.Resource, len(names))
	errs := make([]error, len(names))
	forEach(len(names), per, func(i int) {
		d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(names[i])})
		if err != nil {
			errs[i] = fmt.Errorf("describe table %s: %w", names[i], err)
			return
		}
		out[i] = tableResource(t, d.Table)
	})
	return compact(out, errs)
}

func tableResource(t Target, tb *types.TableDescription) compliance.Resource {
	r := compliance.Resource{Type: compliance.DynamoDBTable, ID: aws.ToString(tb.TableName), Name: aws.ToString(tb.TableName),
		ARN: aws.ToString(tb.TableArn), Account: t.Account, Region: t.Region, Encryption: compliance.EncryptionAWSOwned}
	if s := tb.SSEDescription; s != nil && s.SSEType == types.SSETypeKms {
		r.Encryption, r.KeyRef = compliance.EncryptionKMS, aws.ToString(s.KMSMasterKeyArn)
	}
	return r
}

// forEach runs fn(0..n-1) with at most per running at once.
func forEach(n, per int, fn func(i int)) {
	sem := make(chan struct{}, per)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			fn(i)
		}()
	}
	wg.Wait()
}

// compact drops the slots that failed and joins their errors.
func compact(rs []compliance.Resource, errs []error) ([]compliance.Resource, error) {
	out := rs[:0]
	var first error
	failed := 0
	for i, r := range rs {
		if errs[i] != nil {
			failed++
			if first == nil {
				first = errs[i]
			}
			continue
		}
		out = append(out, r)
	}
	if failed > 0 {
		return out, fmt.Errorf("%d resources could not be read, first: %w", failed, first)
	}
	return out, nil
}
