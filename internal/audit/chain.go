package audit

import "fmt"

// chain indexes the stored entries to explain a break: which entry each
// prev_hash names, and at which seq each entry was originally written.
type chain struct {
	entries []Entry
	byHash  map[string]int   // stored hash → index
	origSeq map[int]int64    // index → seq the entry's hash verifies at
	byPrev  map[string][]int // prev_hash → indexes
}

func newChain(entries []Entry) *chain {
	c := &chain{entries: entries, byHash: map[string]int{}, origSeq: map[int]int64{}, byPrev: map[string][]int{}}
	for i, e := range entries {
		c.byHash[e.Hash] = i
		c.byPrev[e.PrevHash] = append(c.byPrev[e.PrevHash], i)
	}
	c.walk(GenesisHash, 1)
	for i, e := range entries { // entries whose predecessor is gone: search their original seq
		if _, known := c.byHash[e.PrevHash]; !known && e.PrevHash != GenesisHash {
			if s := c.searchSeq(e); s != 0 {
				c.origSeq[i] = s
				c.walk(e.Hash, s+1)
			}
		}
	}
	return c
}

// walk follows the chain from hash, assigning original seqs to entries
// whose hash verifies at that position.
func (c *chain) walk(hash string, seq int64) {
	for _, i := range c.byPrev[hash] {
		if _, done := c.origSeq[i]; done || !verifiesAt(c.entries[i], seq) {
			continue
		}
		c.origSeq[i] = seq
		c.walk(c.entries[i].Hash, seq+1)
	}
}

// searchSeq tries seqs near the stored one (renumbering shifts by a few).
func (c *chain) searchSeq(e Entry) int64 {
	for d := int64(0); d <= 256; d++ {
		for _, s := range []int64{e.Seq + d, e.Seq - d} {
			if s >= 1 && verifiesAt(e, s) {
				return s
			}
		}
	}
	return 0
}

func verifiesAt(e Entry, seq int64) bool {
	e.Seq = seq
	return ComputeHash(e) == e.Hash
}

// shift is how far an entry moved from where it was written (0 if unknown).
func (c *chain) shift(i int) (int64, bool) {
	s, ok := c.origSeq[i]
	return c.entries[i].Seq - s, ok
}

// check explains entry i, or returns nil when it is where it was written
// and chains to its predecessor.
func (c *chain) check(i int) *BreakError {
	e := c.entries[i]
	prevSeq, prevHash := int64(0), GenesisHash
	if i > 0 {
		prevSeq, prevHash = c.entries[i-1].Seq, c.entries[i-1].Hash
	}
	contentOK := ComputeHash(e) == e.Hash
	if e.Seq > prevSeq+1 {
		return &BreakError{Seq: prevSeq + 1, Kind: ErrRemoved,
			Detail: fmt.Sprintf("entries %d..%d are missing", prevSeq+1, e.Seq-1)}
	}
	linkOK := e.PrevHash == prevHash
	switch {
	case contentOK && linkOK:
		return nil
	case linkOK:
		return c.explainContent(i)
	}
	return c.explainLink(i, contentOK)
}

// explainContent: entry i chains correctly but its hash does not match.
func (c *chain) explainContent(i int) *BreakError {
	e := c.entries[i]
	sh, known := c.shift(i)
	if known && i > 0 {
		if psh, pknown := c.shift(i - 1); pknown && psh == sh {
			return nil // moved together with its predecessor; the break is reported there
		}
	}
	if known {
		return &BreakError{Seq: e.Seq, Kind: ErrReordered,
			Detail: fmt.Sprintf("entry was written as seq %d", e.Seq-sh)}
	}
	return &BreakError{Seq: e.Seq, Kind: ErrEdited, Detail: "stored hash does not match the entry's content"}
}

// explainLink: entry i's prev_hash is not its predecessor's hash.
func (c *chain) explainLink(i int, contentOK bool) *BreakError {
	e := c.entries[i]
	target, known := c.byHash[e.PrevHash]
	switch {
	case known && target > i:
		return &BreakError{Seq: e.Seq, Kind: ErrReordered,
			Detail: fmt.Sprintf("it chains to entry %d, which comes after it", c.entries[target].Seq)}
	case c.insertedBefore(i):
		p := c.entries[i-1]
		return &BreakError{Seq: p.Seq, Kind: ErrInserted,
			Detail: fmt.Sprintf("entry %d chains past it to the entry before", e.Seq)}
	case known || e.PrevHash == GenesisHash:
		return &BreakError{Seq: e.Seq, Kind: ErrReordered,
			Detail: "it chains to an earlier entry than its predecessor"}
	}
	if sh, ok := c.shift(i); ok && sh < 0 {
		return &BreakError{Seq: e.Seq, Kind: ErrRemoved,
			Detail: fmt.Sprintf("the entry before it is gone and later entries were renumbered (this one was seq %d)", e.Seq-sh)}
	}
	switch {
	case contentOK && i > 0:
		return &BreakError{Seq: c.entries[i-1].Seq, Kind: ErrEdited,
			Detail: fmt.Sprintf("its hash changed after entry %d chained to it", e.Seq)}
	case contentOK:
		return &BreakError{Seq: e.Seq, Kind: ErrRemoved, Detail: "it chains to an entry that no longer exists"}
	}
	return &BreakError{Seq: e.Seq, Kind: ErrEdited, Detail: "neither its hash nor its link verifies"}
}

// insertedBefore: entry i chains to entry i-2 (or genesis) and either entry
// i-1 is a well-formed entry chained there too, or entry i was written at a
// lower seq: entry i-1 was slipped in.
func (c *chain) insertedBefore(i int) bool {
	if i < 1 {
		return false
	}
	before := GenesisHash
	if i >= 2 {
		before = c.entries[i-2].Hash
	}
	p := c.entries[i-1]
	if c.entries[i].PrevHash != before {
		return false
	}
	psh, pmoved := c.shift(i - 1)
	if sh, ok := c.shift(i); ok && sh > 0 && (!pmoved || psh == 0) {
		return true // i moved up while i-1 is not an original entry moved down (a swap)
	}
	return p.PrevHash == before && ComputeHash(p) == p.Hash
}
