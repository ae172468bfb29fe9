package configsvc

import (
	"fmt"
	"sync"
)

// injected is the Source of items a test records directly: shapes the
// sandbox's own services never produce (an encrypted cluster without
// kmsKeyId, a resource on a key that exists only in a test's facts).
// Config records them like any live resource; removing one records its
// deletion. They are test fixtures and are not persisted.
type injected struct {
	mu    sync.Mutex
	items map[scope]map[string]Item
}

// Items implements Source.
func (in *injected) Items(account, region string) []Item {
	in.mu.Lock()
	defer in.mu.Unlock()
	var out []Item
	for _, it := range in.items[scope{account, region}] {
		out = append(out, it)
	}
	return out
}

// InjectItem records it as a live resource of its account and Region, as
// if one of the sandbox's services held it; a later call with the same
// type and ID replaces it (a new configuration item when it changed).
// Fault hook for tests that need items the services cannot produce.
func (s *Service) InjectItem(it Item) error {
	if checkType(it.ResourceType) != nil || it.ResourceID == "" || len(it.Account) != 12 || it.Region == "" {
		return fmt.Errorf("%w: inject item: need a known resourceType, a resourceId, a 12-digit account and a region", ErrEventRequest)
	}
	s.extra.mu.Lock()
	defer s.extra.mu.Unlock()
	sc := scope{it.Account, it.Region}
	if s.extra.items[sc] == nil {
		s.extra.items[sc] = map[string]Item{}
	}
	s.extra.items[sc][resKey(it.ResourceType, it.ResourceID)] = it
	return nil
}

// RemoveInjected removes an injected item: Config records the resource as
// deleted at its next look.
func (s *Service) RemoveInjected(account, region, typ, id string) {
	s.extra.mu.Lock()
	defer s.extra.mu.Unlock()
	delete(s.extra.items[scope{account, region}], resKey(typ, id))
}

// FailEvaluations makes PutEvaluations report the next n evaluations it
// receives (in any account) in FailedEvaluations instead of recording
// them, as AWS does for evaluations it could not accept. Fault hook for
// tests of the caller's retry.
func (s *Service) FailEvaluations(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN = n
}
