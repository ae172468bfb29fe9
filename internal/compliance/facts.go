package compliance

import (
	"fmt"
	"strings"
	"sync"
)

// Facts resolves what the evaluator needs to know about keys. Package
// keyfacts implements it from ListKeys, DescribeKey, ListKeyRotations and
// ListAliases in the Security account; Index is the in-memory form.
//
// Not found is (zero, false), never an error: a key whose facts could not
// be read is returned with KeyFacts.Err set, so that the evaluator can say
// INSUFFICIENT_DATA instead of guessing.
type Facts interface {
	// Key returns the facts of the key with this key ARN (never an alias
	// ARN). Implementations must match a key ARN whatever the partition
	// spelled in it, by account, region and key ID.
	Key(keyARN string) (KeyFacts, bool)
	// AliasTarget returns the ARN of the key the alias (alias/NAME) points
	// to in that account and region.
	AliasTarget(account, region, alias string) (keyARN string, ok bool)
}

// Index is an in-memory Facts, safe for concurrent use: keyfacts fills it
// once per scan while workers evaluate. The zero value is not usable; call
// NewIndex.
type Index struct {
	mu      sync.RWMutex
	keys    map[keySlot]KeyFacts
	aliases map[aliasSlot]string
}

type keySlot struct{ account, region, keyID string }

type aliasSlot struct{ account, region, alias string }

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{keys: map[keySlot]KeyFacts{}, aliases: map[aliasSlot]string{}}
}

// Add records the facts of one key, replacing earlier facts of that key.
// The key is named by f.ARN, or by f.Account, f.Region and f.KeyID when
// ARN is empty; the missing ones are filled in from the other.
func (x *Index) Add(f KeyFacts) error {
	if f.ARN == "" && f.Account != "" && f.Region != "" && f.KeyID != "" {
		f.ARN = KeyARN(PartitionOf(f.Region), f.Region, f.Account, f.KeyID)
	}
	ref, err := ParseKeyRef(f.ARN, "", "")
	if err != nil || ref.Kind != KeyRefKeyARN {
		return fmt.Errorf("add key facts %s: %w (name the key by its key ARN)", quote(f.ARN), ErrBadFacts)
	}
	if (f.Account != "" && f.Account != ref.Account) || (f.Region != "" && f.Region != ref.Region) ||
		(f.KeyID != "" && f.KeyID != ref.KeyID) {
		return fmt.Errorf("add key facts %s: %w (account, region or key ID disagree with the ARN)", quote(f.ARN), ErrBadFacts)
	}
	f.Account, f.Region, f.KeyID = ref.Account, ref.Region, ref.KeyID
	x.mu.Lock()
	x.keys[keySlot{ref.Account, ref.Region, ref.KeyID}] = f
	x.mu.Unlock()
	return nil
}

// AddAlias records that alias (alias/NAME) in account and region points to
// keyARN. KMS aliases only point to keys of their own account and region.
func (x *Index) AddAlias(account, region, alias, keyARN string) error {
	ref, err := ParseKeyRef(keyARN, "", "")
	if err != nil || ref.Kind != KeyRefKeyARN {
		return fmt.Errorf("add alias %s: target %s: %w (use a key ARN)", quote(alias), quote(keyARN), ErrBadFacts)
	}
	if ref.Account != account || ref.Region != region {
		return fmt.Errorf("add alias %s in %s/%s: target %s: %w (an alias targets a key of its own account and region)",
			quote(alias), account, region, quote(keyARN), ErrBadFacts)
	}
	if err := checkAlias(alias, alias); err != nil {
		return fmt.Errorf("add alias: %w: %w", ErrBadFacts, err)
	}
	x.mu.Lock()
	x.aliases[aliasSlot{account, region, alias}] = ref.ARN()
	x.mu.Unlock()
	return nil
}

// Key implements Facts.
func (x *Index) Key(keyARN string) (KeyFacts, bool) {
	slot, ok := slotOf(keyARN)
	if !ok {
		return KeyFacts{}, false
	}
	x.mu.RLock()
	f, ok := x.keys[slot]
	x.mu.RUnlock()
	return f, ok
}

// AliasTarget implements Facts.
func (x *Index) AliasTarget(account, region, alias string) (string, bool) {
	x.mu.RLock()
	arn, ok := x.aliases[aliasSlot{account, region, alias}]
	x.mu.RUnlock()
	return arn, ok
}

// Len returns the number of keys and aliases recorded.
func (x *Index) Len() (keys, aliases int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.keys), len(x.aliases)
}

// slotOf splits a key ARN without validating it: lookups are hot, and a
// malformed ARN simply matches nothing because Add validated every entry.
func slotOf(keyARN string) (keySlot, bool) {
	parts := strings.SplitN(keyARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kms" {
		return keySlot{}, false
	}
	id, ok := strings.CutPrefix(parts[5], "key/")
	return keySlot{parts[4], parts[3], id}, ok
}

// noFacts is the Facts used when Evaluate is given nil: nothing is known.
type noFacts struct{}

func (noFacts) Key(string) (KeyFacts, bool)                       { return KeyFacts{}, false }
func (noFacts) AliasTarget(string, string, string) (string, bool) { return "", false }
