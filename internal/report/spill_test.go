package report

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
)

// TestSpillReplaysEveryResultInOrder: results (an exception, a deleted
// resource among them) come back equal and in order, and can be replayed
// twice; a callback's error stops the replay and is returned.
func TestSpillReplaysEveryResultInOrder(t *testing.T) {
	rep := largeReport(500)
	rep.Results[3].Exception = &estate.Exception{Pattern: "arn:aws:s3:::*", Reason: "legacy", Approver: "ciso",
		Expires: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Line: 12}
	rep.Results[3].Verdict = compliance.Exempted
	rep.Results[7].Resource.Deleted = true
	s, err := NewSpill()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, r := range rep.Results {
		if err := s.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	for pass := range 2 {
		var got []compliance.Result
		if err := s.Each(func(r compliance.Result) error { got = append(got, r); return nil }); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, rep.Results) {
			t.Fatalf("pass %d: replayed %d results, not equal to the %d added", pass, len(got), len(rep.Results))
		}
	}
	stop := errors.New("stop")
	n := 0
	if err := s.Each(func(compliance.Result) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err %v after %d results, want stop after 1", err, n)
	}
}

// TestTableSpillsRowsPastTheLimit: a table whose rows went to the
// temporary file is byte for byte the table kept in memory.
func TestTableSpillsRowsPastTheLimit(t *testing.T) {
	rep := largeReport(300)
	rep.Results[5].Resource.Name = "a-much-longer-bucket-name-that-widens-the-column"
	var inMemory, spilled bytes.Buffer
	if err := WriteTable(&inMemory, rep, true); err != nil {
		t.Fatal(err)
	}
	defer func(n int) { tableSpillRows = n }(tableSpillRows)
	tableSpillRows = 10
	if err := WriteTable(&spilled, rep, true); err != nil {
		t.Fatal(err)
	}
	if inMemory.String() != spilled.String() {
		t.Fatalf("spilled table differs from the in-memory one:\n%s\n---\n%s", spilled.String()[:400], inMemory.String()[:400])
	}
	if n := bytes.Count(spilled.Bytes(), []byte("\n")); n < 300 {
		t.Fatalf("%d lines for 300 results", n)
	}
}
