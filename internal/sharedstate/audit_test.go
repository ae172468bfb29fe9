package sharedstate_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"strings"

	"github.com/byok-dev/byok/internal/sharedstate"
)

// Operators on several machines append to one chain at once: every entry
// lands once, in one verified sequence.
func TestSharedAuditChain(t *testing.T) {
	c := newClock()
	cl := newS3(t)
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.store(cl).AppendAudit(bg, json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))); err != nil {
				t.Errorf("append %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	es, err := c.store(cl).AuditEntries(bg)
	if err != nil || len(es) != 6 {
		t.Fatalf("entries: %d %v", len(es), err)
	}
	seen := map[string]bool{}
	for _, e := range es {
		seen[string(e.Entry)] = true
	}
	if len(seen) != 6 {
		t.Fatalf("duplicate or lost entries: %v", seen)
	}
	// Tampering with an entry's content breaks the chain.
	e3 := es[2]
	e3.Entry = json.RawMessage(`{"n":99}`)
	body, _ := json.Marshal(e3)
	if _, err := cl.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("prod/audit/entries/00000000000000000003.json"),
		Body: strings.NewReader(string(body))}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.store(cl).AuditEntries(bg); !errors.Is(err, sharedstate.ErrChainBroken) {
		t.Fatalf("tampered chain: %v", err)
	}
}

// A writer that died between its entry and the head leaves the head one
// behind: the chain still verifies, and the next writer rolls the head
// forward before linking after it.
func TestSharedAuditRollForward(t *testing.T) {
	c := newClock()
	cl := newS3(t)
	st := c.store(cl)
	if _, err := st.AppendAudit(bg, json.RawMessage(`{"n":1}`)); err != nil {
		t.Fatal(err)
	}
	e2, err := st.AppendAudit(bg, json.RawMessage(`{"n":2}`))
	if err != nil {
		t.Fatal(err)
	}
	// Put the head back on entry 1, as if the writer of 2 died before moving it.
	es, _ := st.AuditEntries(bg)
	h1, _ := json.Marshal(sharedstate.AuditHead{Seq: 1, Hash: es[0].Hash})
	if _, err := cl.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("prod/audit/head.json"),
		Body: strings.NewReader(string(h1))}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AuditEntries(bg); err != nil {
		t.Fatalf("head one behind: %v", err)
	}
	e3, err := st.AppendAudit(bg, json.RawMessage(`{"n":3}`))
	if err != nil || e3.Seq != 3 || e3.Prev != e2.Hash {
		t.Fatalf("append after a dead writer: %+v %v", e3, err)
	}
	if es, err := st.AuditEntries(bg); err != nil || len(es) != 3 {
		t.Fatalf("chain: %d %v", len(es), err)
	}
}
