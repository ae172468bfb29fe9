package discover

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/pace"
)

// knownServices are the services an estate key serves.
var knownServices = map[string]bool{"s3": true, "rds": true, "dynamodb": true}

// candidate is a key to read: the aliases that target it.
type candidate struct {
	keyID   string
	aliases []string
}

// read lists the Region's aliases and keys and reads every key that a
// customer alias targets, and every key no customer alias targets (an
// EXTERNAL one among those is a key without a matching alias).
func (r *regionReader) read(ctx context.Context) ([]Found, []Issue, error) {
	aliases, err := r.listAliases(ctx)
	if err != nil {
		return nil, nil, err
	}
	keys, err := r.listKeys(ctx)
	if err != nil {
		return nil, nil, err
	}
	byKey := map[string]*candidate{}
	for _, a := range aliases {
		name, target := aws.ToString(a.AliasName), aws.ToString(a.TargetKeyId)
		if target == "" || strings.HasPrefix(name, "alias/aws/") {
			continue
		}
		if byKey[target] == nil {
			byKey[target] = &candidate{keyID: target}
		}
		byKey[target].aliases = append(byKey[target].aliases, name)
	}
	var cands []*candidate
	for _, id := range keys {
		if c := byKey[id]; c != nil {
			cands = append(cands, c)
			continue
		}
		cands = append(cands, &candidate{keyID: id})
	}
	if err := r.readAll(ctx, cands); err != nil {
		return nil, nil, err
	}
	return r.found, r.issues, nil
}

func (r *regionReader) readAll(ctx context.Context, cands []*candidate) error {
	n := r.o.Concurrency
	if n <= 0 {
		n = 16
	}
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for _, c := range cands {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r.readKey(ctx, c)
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// readKey classifies one key.
func (r *regionReader) readKey(ctx context.Context, c *candidate) {
	md, err := pace.Call(ctx, r.o.Pace, r.key("DescribeKey"), func(ctx context.Context) (*kms.DescribeKeyOutput, error) {
		return r.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(c.keyID)}, pace.KMSOption)
	})
	if err != nil {
		r.issue("environments", c.keyID, "in %s: DescribeKey failed: %v", r.region, err)
		return
	}
	m := md.KeyMetadata
	arn := aws.ToString(m.Arn)
	if m.Origin != types.OriginTypeExternal || m.KeyManager == types.KeyManagerTypeAws {
		return // not an imported-material key: not byok's, nothing to say
	}
	if m.MultiRegionConfiguration != nil && m.MultiRegionConfiguration.MultiRegionKeyType == types.MultiRegionKeyTypeReplica {
		return // a replica is described by its primary
	}
	f, ok := r.classify(arn, c.aliases)
	if !ok {
		return
	}
	if m.KeyState == types.KeyStatePendingDeletion || m.KeyState == types.KeyStateDisabled {
		r.issue("environments", f.Alias, "key %s is %s; rotate or scan it only once it is enabled again", arn, m.KeyState)
	}
	if mr := m.MultiRegionConfiguration; mr != nil {
		for _, rep := range mr.ReplicaKeys {
			f.Replicas = append(f.Replicas, aws.ToString(rep.Region))
		}
		sort.Strings(f.Replicas)
	}
	if !r.readPolicy(ctx, c.keyID, &f) {
		return
	}
	r.mu.Lock()
	r.found = append(r.found, f)
	r.mu.Unlock()
}

// classify takes environment and service from the one alias of the key
// that matches the pattern.
func (r *regionReader) classify(arn string, aliases []string) (Found, bool) {
	var matches []Found
	for _, a := range aliases {
		env, svc, ok := r.o.Pattern.Match(a)
		if !ok {
			continue
		}
		if !knownServices[svc] {
			r.issue("alias_format", a, "alias of key %s matches %s but %q is not a service byok knows (s3, rds, dynamodb)", arn, r.o.Pattern, svc)
			continue
		}
		matches = append(matches, Found{Env: env, Service: svc, Alias: a, KeyARN: arn, Region: r.region})
	}
	switch len(matches) {
	case 0:
		what := "has no alias"
		if len(aliases) > 0 {
			what = "has aliases " + strings.Join(aliases, ", ") + ", none matching " + r.o.Pattern.String()
		}
		r.issue("alias_format", arn, "EXTERNAL key in %s %s: give it an alias the pattern matches, or leave it out of byok", r.region, what)
		return Found{}, false
	case 1:
		return matches[0], true
	}
	r.issue("alias_format", arn, "EXTERNAL key in %s has %d aliases matching %s (%s); byok expects one", r.region, len(matches), r.o.Pattern, aliasesOf(matches))
	return Found{}, false
}

func aliasesOf(fs []Found) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Alias)
	}
	return strings.Join(out, ", ")
}

// readPolicy reads the consumer accounts from the key's default policy.
func (r *regionReader) readPolicy(ctx context.Context, keyID string, f *Found) bool {
	out, err := pace.Call(ctx, r.o.Pace, r.key("GetKeyPolicy"), func(ctx context.Context) (*kms.GetKeyPolicyOutput, error) {
		return r.kms.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default")}, pace.KMSOption)
	})
	if err != nil {
		r.issue("environments", f.Alias, "GetKeyPolicy failed: %v", err)
		return false
	}
	p, err := PolicyAccounts(aws.ToString(out.Policy), r.o.Security)
	if err != nil {
		r.issue("environments", f.Alias, "%v", err)
		return false
	}
	f.Consumers, f.Unreadable = p.Accounts, p.Unreadable
	for _, u := range p.Unreadable {
		r.issue("environments", f.Alias, "key policy %s", u)
	}
	return true
}
