package discover

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/pace"
)

// KMS is what discover calls in the Security account.
type KMS interface {
	ListAliases(ctx context.Context, in *kms.ListAliasesInput, opts ...func(*kms.Options)) (*kms.ListAliasesOutput, error)
	ListKeys(ctx context.Context, in *kms.ListKeysInput, opts ...func(*kms.Options)) (*kms.ListKeysOutput, error)
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, opts ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	GetKeyPolicy(ctx context.Context, in *kms.GetKeyPolicyInput, opts ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error)
}

// Options say what to read.
type Options struct {
	Security string   // the Security account (the caller's)
	Regions  []string // in order; the first holds multi-Region primaries
	Pattern  Pattern
	// Org names the organisation's accounts (nil: not read, no
	// outside-the-organisation check).
	Org map[string]string
	// Pace paces the calls (nil: a pacer on AWS's defaults).
	Pace *pace.Pacer
	// Concurrency bounds key reads per Region (default 16).
	Concurrency int
}

// Found is one EXTERNAL key whose alias matches the pattern.
type Found struct {
	Env, Service, Alias string
	KeyARN, Region      string
	Replicas            []string // Regions of its replicas (multi-Region primary)
	Consumers           []string // accounts its policy allows, the Security account left out
	Unreadable          []string // policy statements that are not account lists
}

// Issue is something discover could not classify.
type Issue struct {
	Section string // the draft's field to edit ("environments", "services", …)
	Subject string // alias or key ARN
	What    string
}

// regionResult is what one Region yielded.
type regionResult struct {
	found  []Found
	issues []Issue
	err    error
}

// Read reads every Region at once, each at its own quotas, and returns
// the keys found and the issues, both sorted. Only a failed call that is
// not about one key (ListAliases, ListKeys) or a cancelled ctx is an error.
func Read(ctx context.Context, client func(region string) KMS, o Options) ([]Found, []Issue, error) {
	if o.Pace == nil {
		o.Pace = pace.New(nil)
	}
	res := make([]regionResult, len(o.Regions))
	var wg sync.WaitGroup
	for i, r := range o.Regions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rd := &regionReader{o: o, region: r, kms: client(r)}
			res[i].found, res[i].issues, res[i].err = rd.read(ctx)
		}()
	}
	wg.Wait()
	var found []Found
	var issues []Issue
	for i, r := range res {
		if r.err != nil {
			return nil, nil, fmt.Errorf("discover %s: %w", o.Regions[i], r.err)
		}
		found, issues = append(found, r.found...), append(issues, r.issues...)
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Region+found[i].Alias < found[j].Region+found[j].Alias })
	sort.SliceStable(issues, func(i, j int) bool { return issues[i].Subject < issues[j].Subject })
	return found, issues, nil
}

// regionReader reads one Region.
type regionReader struct {
	o      Options
	region string
	kms    KMS
	mu     sync.Mutex
	found  []Found
	issues []Issue
}

func (r *regionReader) key(op string) pace.Key {
	return pace.Key{Account: r.o.Security, Region: r.region, Service: pace.ServiceKMS, Op: op}
}

func (r *regionReader) issue(section, subject, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.issues = append(r.issues, Issue{Section: section, Subject: subject, What: fmt.Sprintf(format, args...)})
}

func (r *regionReader) listAliases(ctx context.Context) ([]types.AliasListEntry, error) {
	var out []types.AliasListEntry
	in := &kms.ListAliasesInput{Limit: aws.Int32(100)}
	for {
		page, err := pace.Call(ctx, r.o.Pace, r.key("ListAliases"), func(ctx context.Context) (*kms.ListAliasesOutput, error) {
			return r.kms.ListAliases(ctx, in, pace.KMSOption)
		})
		if err != nil {
			return nil, fmt.Errorf("list aliases: %w", err)
		}
		out = append(out, page.Aliases...)
		if !page.Truncated || aws.ToString(page.NextMarker) == "" {
			return out, nil
		}
		in.Marker = page.NextMarker
	}
}

func (r *regionReader) listKeys(ctx context.Context) ([]string, error) {
	var out []string
	in := &kms.ListKeysInput{Limit: aws.Int32(1000)}
	for {
		page, err := pace.Call(ctx, r.o.Pace, r.key("ListKeys"), func(ctx context.Context) (*kms.ListKeysOutput, error) {
			return r.kms.ListKeys(ctx, in, pace.KMSOption)
		})
		if err != nil {
			return nil, fmt.Errorf("list keys: %w", err)
		}
		for _, k := range page.Keys {
			out = append(out, aws.ToString(k.KeyId))
		}
		if !page.Truncated || aws.ToString(page.NextMarker) == "" {
			return out, nil
		}
		in.Marker = page.NextMarker
	}
}
