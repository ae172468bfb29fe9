package sandbox

import (
	"sort"
	"sync"
)

// Counters count authenticated calls per (account, service, operation), so
// tests can assert how many calls the product made (e.g. one DescribeKey per
// key per scan).
type Counters struct {
	mu sync.Mutex
	m  map[CounterKey]int64
}

// CounterKey identifies one counter.
type CounterKey struct {
	Account   string `json:"account"`
	Service   string `json:"service"`
	Operation string `json:"operation"`
}

// Count is one counter's value.
type Count struct {
	CounterKey
	Calls int64 `json:"calls"`
}

func newCounters() *Counters { return &Counters{m: map[CounterKey]int64{}} }

func (c *Counters) add(account, service, op string) {
	c.mu.Lock()
	c.m[CounterKey{account, service, op}]++
	c.mu.Unlock()
}

// Get returns the count for one key.
func (c *Counters) Get(account, service, op string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[CounterKey{account, service, op}]
}

// Total sums an operation over all accounts.
func (c *Counters) Total(service, op string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for k, v := range c.m {
		if k.Service == service && k.Operation == op {
			n += v
		}
	}
	return n
}

// Snapshot lists every counter, sorted.
func (c *Counters) Snapshot() []Count {
	c.mu.Lock()
	out := make([]Count, 0, len(c.m))
	for k, v := range c.m {
		out = append(out, Count{k, v})
	}
	c.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].CounterKey, out[j].CounterKey
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		return a.Operation < b.Operation
	})
	return out
}

// Reset zeroes every counter.
func (c *Counters) Reset() {
	c.mu.Lock()
	c.m = map[CounterKey]int64{}
	c.mu.Unlock()
}
