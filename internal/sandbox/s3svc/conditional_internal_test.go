package s3svc

import (
	"net/http"
	"testing"
)

// A conditional write whose precondition held when it began, but whose key
// another write replaced before it committed, is S3's 409
// ConditionalRequestConflict, not a silent overwrite.
func TestConditionalConflict(t *testing.T) {
	s := &Service{objects: map[string]*object{}, keyIndex: map[string][]string{}}
	first := &object{Bucket: "b", Key: "k", ETag: `"1"`}
	s.index(first)
	guard, err := s.begin(writeCond{ifMatch: `"1"`}, "b", "k")
	if err != nil || guard == nil {
		t.Fatalf("begin: %v", err)
	}
	if err := guard(first); err != nil {
		t.Fatalf("no concurrent write: %v", err)
	}
	s.index(&object{Bucket: "b", Key: "k", ETag: `"2"`}) // another writer commits first
	if err := guard(s.objects["b/k"]); err == nil || err.Status != http.StatusConflict || err.Code != "ConditionalRequestConflict" {
		t.Fatalf("concurrent write: %v", err)
	}
	s.unindex("b", "k") // or a concurrent delete
	if err := guard(s.objects["b/k"]); err == nil || err.Code != "ConditionalRequestConflict" {
		t.Fatalf("concurrent delete: %v", err)
	}
	create, err := s.begin(writeCond{ifNoneMatch: true}, "b", "k")
	if err != nil {
		t.Fatal(err)
	}
	s.index(&object{Bucket: "b", Key: "k", ETag: `"3"`})
	if err := create(s.objects["b/k"]); err == nil || err.Code != "ConditionalRequestConflict" {
		t.Fatalf("two creators at once: %v", err)
	}
	if g, err := s.begin(writeCond{}, "b", "k"); g != nil || err != nil {
		t.Fatalf("unconditional write has a guard: %v", err)
	}
}

// FuzzWriteConditions: any If-Match / If-None-Match pair parses to a
// condition or a 501, and a parsed condition evaluates to nil, 404 or 412.
func FuzzWriteConditions(f *testing.F) {
	f.Add("", "*", `"abc"`)
	f.Add(`"abc"`, "", `"abc"`)
	f.Add("*", "", "")
	f.Add(`"a", "b"`, "", `"b"`)
	f.Add("", `"x"`, "")
	f.Fuzz(func(t *testing.T, ifMatch, ifNoneMatch, etag string) {
		h := http.Header{}
		if ifMatch != "" {
			h.Set("If-Match", ifMatch)
		}
		if ifNoneMatch != "" {
			h.Set("If-None-Match", ifNoneMatch)
		}
		c, err := parseWriteCond(h)
		if err != nil {
			if err.Status != http.StatusNotImplemented {
				t.Fatalf("parse error %v", err)
			}
			return
		}
		var cur *object
		if etag != "" {
			cur = &object{ETag: etag}
		}
		if e := c.check("k", cur); e != nil && e.Status != 404 && e.Status != 412 {
			t.Fatalf("check: %v", e)
		}
	})
}
