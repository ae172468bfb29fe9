package kmssvc

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

// State kinds in the sandbox state log.
const (
	kindKey    = "kms.key"
	kindAlias  = "kms.alias"
	kindSecret = "kms.secret"
	secretID   = "import-token-key"
)

type tokenSecret struct {
	Key secretBytes `json:"key"`
}

func (s *Service) load() error {
	if err := s.env.State.Each(kindKey, func(_ string, raw json.RawMessage) error {
		k := &key{}
		if err := json.Unmarshal(raw, k); err != nil {
			return fmt.Errorf("load kms key: %w", err)
		}
		return s.adoptKey(k)
	}); err != nil {
		return err
	}
	if err := s.env.State.Each(kindAlias, func(_ string, raw json.RawMessage) error {
		a := &alias{}
		if err := json.Unmarshal(raw, a); err != nil {
			return fmt.Errorf("load kms alias: %w", err)
		}
		s.aliases[a.ARN] = a
		return nil
	}); err != nil {
		return err
	}
	if err := s.loadGrants(); err != nil {
		return err
	}
	return s.loadTokenKey()
}

// adoptKey rebuilds the in-memory parts of a loaded key.
func (s *Service) adoptKey(k *key) error {
	for _, m := range k.Materials {
		if m.imported() {
			if err := m.setBytes(m.Bytes); err != nil {
				return fmt.Errorf("load kms key %s: %w", k.ARN, err)
			}
		}
	}
	p, err := parsePolicy(k.Policy)
	if err != nil {
		return fmt.Errorf("load kms key %s policy: %w", k.ARN, err)
	}
	k.policy = p
	s.keys[k.ARN] = k
	return nil
}

func (s *Service) loadTokenKey() error {
	var found bool
	err := s.env.State.Each(kindSecret, func(id string, raw json.RawMessage) error {
		var ts tokenSecret
		if id != secretID {
			return nil
		}
		if err := json.Unmarshal(raw, &ts); err != nil || len(ts.Key) != 32 {
			return fmt.Errorf("load kms import-token key: malformed record")
		}
		s.tokenKey, found = ts.Key, true
		return nil
	})
	if err != nil || found {
		return err
	}
	s.tokenKey = make([]byte, 32)
	_, _ = rand.Read(s.tokenKey)
	if err := s.env.State.Put(kindSecret, secretID, tokenSecret{Key: s.tokenKey}); err != nil {
		return fmt.Errorf("persist kms import-token key: %w", err)
	}
	return nil
}

// putKey persists k; the caller holds the write lock.
func (s *Service) putKey(k *key) *awsproto.Error {
	if err := s.env.State.Put(kindKey, k.ARN, k); err != nil {
		s.env.Logger.Error("kms persist key failed", "key_arn", k.ARN, "error", err.Error())
		return errInternal("persist the key")
	}
	return nil
}

func (s *Service) putAlias(a *alias) *awsproto.Error {
	if err := s.env.State.Put(kindAlias, a.ARN, a); err != nil {
		s.env.Logger.Error("kms persist alias failed", "alias_arn", a.ARN, "error", err.Error())
		return errInternal("persist the alias")
	}
	return nil
}

func (s *Service) dropAlias(a *alias) *awsproto.Error {
	if err := s.env.State.Delete(kindAlias, a.ARN); err != nil {
		return errInternal("delete the alias")
	}
	delete(s.aliases, a.ARN)
	return nil
}

// sweepIfDue applies lazy transitions (material expiry, rotation
// completion, key deletion) once the sandbox clock passes the next one.
func (s *Service) sweepIfDue(now time.Time) {
	if now.UnixNano() < s.nextDue.Load() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		s.tick(k, now)
	}
	s.reschedule()
}

// tick applies k's due transitions and persists them.
func (s *Service) tick(k *key, now time.Time) {
	if k.DeletionDate != nil && !now.Before(*k.DeletionDate) {
		s.deleteKey(k)
		return
	}
	changed := expireMaterials(k, now)
	if k.RotStart != nil && !now.Before(k.RotStart.Add(rotationDelay)) {
		completeRotation(k)
		changed = true
	}
	if changed {
		_ = s.putKey(k)
	}
}

func (s *Service) deleteKey(k *key) {
	if err := s.env.State.Delete(kindKey, k.ARN); err != nil {
		s.env.Logger.Error("kms delete key failed", "key_arn", k.ARN, "error", err.Error())
		return
	}
	delete(s.keys, k.ARN)
	s.dropGrantsOf(k.ARN)
	for _, a := range s.aliases {
		if a.Account == k.Account && a.Region == k.Region && a.Target == k.ID {
			_ = s.dropAlias(a)
		}
	}
	if k.isReplica() {
		if p := s.keys[k.PrimaryARN]; p != nil {
			p.Replicas = remove(p.Replicas, k.ARN)
			_ = s.putKey(p)
		}
	}
}

// reschedule recomputes when the next lazy transition is due. The caller
// holds the write lock.
func (s *Service) reschedule() {
	next := int64(math.MaxInt64)
	at := func(t *time.Time) {
		if t != nil && t.UnixNano() < next {
			next = t.UnixNano()
		}
	}
	for _, k := range s.keys {
		at(k.DeletionDate)
		if k.RotStart != nil {
			done := k.RotStart.Add(rotationDelay)
			at(&done)
		}
		for _, m := range k.Materials {
			if m.imported() {
				at(m.ValidTo)
			}
		}
	}
	s.nextDue.Store(next)
}

func remove(xs []string, x string) []string {
	out := xs[:0]
	for _, v := range xs {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}
