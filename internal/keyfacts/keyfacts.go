// Package keyfacts reads what KMS knows about the keys resources use, in
// the account that owns each key: DescribeKey, ListKeyRotations
// (ALL_KEY_MATERIAL) and ListAliases, which KMS does not allow
// cross-account, so Security-account keys are read with the Security
// account's credentials. Each key is read once per scan (at most one
// DescribeKey and one ListKeyRotations per distinct key), and the result is
// a compliance.Index. A key that cannot be read is recorded with its error,
// never guessed. Tags are read only to recognise keys byok superseded;
// they are never evidence of rotation.
package keyfacts

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/pace"
)

// KMS is the part of the KMS API keyfacts calls; *kms.Client implements it.
type KMS interface {
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, opts ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	ListKeyRotations(ctx context.Context, in *kms.ListKeyRotationsInput, opts ...func(*kms.Options)) (*kms.ListKeyRotationsOutput, error)
	ListAliases(ctx context.Context, in *kms.ListAliasesInput, opts ...func(*kms.Options)) (*kms.ListAliasesOutput, error)
	ListResourceTags(ctx context.Context, in *kms.ListResourceTagsInput, opts ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error)
}

// Reader loads key facts for a scan or a Config rule invocation.
type Reader struct {
	Estate *estate.Estate
	// Client returns a KMS client acting in account (the key owner) and region.
	Client func(account, region string) KMS
	// Concurrency bounds parallel key reads (default 16).
	Concurrency int
	// Pace spaces KMS calls per account, Region and quota; NewReader sets
	// it to a pacer on AWS's default quotas, and a scan passes the one it
	// shares with the rest of the run (applied values included). nil: no
	// pacing.
	Pace *pace.Pacer

	mu      sync.Mutex
	index   *compliance.Index
	keys    map[string]*once // by key ARN
	aliases map[string]*once // by account/region
	targets map[string]bool  // key ARNs some estate alias targets now
}

type once struct {
	sync.Once
	err error
}

// NewReader returns a reader with an empty cache (one per scan).
func NewReader(e *estate.Estate, client func(account, region string) KMS) *Reader {
	return &Reader{Estate: e, Client: client, index: compliance.NewIndex(), Pace: pace.New(nil),
		keys: map[string]*once{}, aliases: map[string]*once{}, targets: map[string]bool{}}
}

// Index returns the facts gathered so far.
func (r *Reader) Index() *compliance.Index { return r.index }

// Load reads the estate aliases in every region and the facts of every key
// the resources name (only those: a Config rule invocation about one
// resource reads one key), and returns the filled index. Keys LoadEstate
// read already are not read again.
func (r *Reader) Load(ctx context.Context, resources []compliance.Resource) (*compliance.Index, error) {
	if err := r.estateAliases(ctx); err != nil {
		return nil, err
	}
	arns := r.keyARNs(ctx, resources)
	r.readKeys(ctx, arns)
	return r.index, nil
}

// LoadEstate reads, once per reader, the estate aliases in every region
// and the facts of the keys they target. It needs no resources, so a scan
// runs it while the inventory is still listing.
func (r *Reader) LoadEstate(ctx context.Context) error {
	o := r.slot(r.aliases, "\x00estate")
	o.Do(func() {
		if o.err = r.estateAliases(ctx); o.err != nil {
			return
		}
		r.mu.Lock()
		arns := make([]string, 0, len(r.targets))
		for a := range r.targets {
			arns = append(arns, a)
		}
		r.mu.Unlock()
		r.readKeys(ctx, arns)
	})
	return o.err
}

// estateAliases lists the estate aliases once per reader.
func (r *Reader) estateAliases(ctx context.Context) error {
	o := r.slot(r.aliases, "\x00aliases")
	o.Do(func() { o.err = r.loadEstateAliases(ctx) })
	return o.err
}

func (r *Reader) loadEstateAliases(ctx context.Context) error {
	for _, region := range r.regions() {
		if err := r.aliasesOf(ctx, r.Estate.SecurityAccount, region); err != nil {
			return fmt.Errorf("estate aliases in %s: %w", region, err)
		}
	}
	for _, k := range r.Estate.Keys() {
		if arn, ok := r.index.AliasTarget(k.Account, k.Region, k.Alias); ok {
			r.mu.Lock()
			r.targets[arn] = true
			r.mu.Unlock()
		}
	}
	return nil
}

func (r *Reader) regions() []string {
	seen := map[string]bool{}
	var out []string
	add := func(rg string) {
		if !seen[rg] {
			seen[rg] = true
			out = append(out, rg)
		}
	}
	for _, rg := range r.Estate.Regions {
		add(rg)
	}
	for _, m := range r.Estate.MultiRegion {
		for _, rg := range m.Replicas {
			add(rg)
		}
	}
	return out
}

// keyARNs resolves every resource's key reference to a key ARN, reading
// the aliases of the account that resolves them.
func (r *Reader) keyARNs(ctx context.Context, resources []compliance.Resource) []string {
	set := map[string]bool{}
	for _, res := range resources {
		if res.Encryption != compliance.EncryptionKMS || res.KeyRef == "" {
			continue
		}
		ref, err := compliance.ParseKeyRef(res.KeyRef, res.Account, res.Region)
		if err != nil {
			continue // the evaluator reports unparsable references itself
		}
		if arn := r.resolve(ctx, ref); arn != "" {
			set[arn] = true
		}
	}
	out := make([]string, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	return out
}

func (r *Reader) resolve(ctx context.Context, ref compliance.KeyRef) string {
	if !ref.IsAlias() {
		return ref.ARN()
	}
	if ref.AWSManaged() && ref.Account != r.Estate.SecurityAccount {
		// AWS-managed aliases are listed by ListAliases of their account.
		_ = r.aliasesOf(ctx, ref.Account, ref.Region)
	} else if err := r.aliasesOf(ctx, ref.Account, ref.Region); err != nil {
		return ""
	}
	arn, _ := r.index.AliasTarget(ref.Account, ref.Region, ref.Alias)
	return arn
}
