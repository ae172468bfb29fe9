package store

import (
	"context"
	"errors"
	"testing"
)

func finding(id, verdict, reason string) Finding {
	return Finding{ResourceType: "AWS::S3::Bucket", ResourceID: id, Account: "222222222222", Region: "eu-west-1",
		ResourceARN: "arn:aws:s3:::" + id, Name: id, Verdict: verdict, Reason: reason}
}

func TestDiffFindings(t *testing.T) {
	before := []Finding{
		finding("fixed", "NON_COMPLIANT", "MATERIAL_OVERDUE"),
		finding("broke", "COMPLIANT", "KEY_COMPLIANT"),
		finding("same", "NON_COMPLIANT", "UNENCRYPTED"),
		finding("reason", "NON_COMPLIANT", "MATERIAL_OVERDUE"),
		finding("gone", "COMPLIANT", "KEY_COMPLIANT"),
	}
	after := []Finding{
		finding("fixed", "COMPLIANT", "KEY_COMPLIANT"),
		finding("broke", "NON_COMPLIANT", "KEY_SUPERSEDED"),
		finding("same", "NON_COMPLIANT", "UNENCRYPTED"),
		finding("reason", "NON_COMPLIANT", "KEY_DISABLED"),
		finding("new", "NON_COMPLIANT", "UNENCRYPTED"),
	}
	d := DiffFindings(before, after)
	check := func(name string, got []Change, id string) {
		t.Helper()
		if len(got) != 1 || got[0].After.ResourceID != id || got[0].Before.ResourceID != id {
			t.Errorf("%s = %+v, want only %s", name, got, id)
		}
	}
	check("NewlyNonCompliant", d.NewlyNonCompliant, "broke")
	check("Fixed", d.Fixed, "fixed")
	check("Changed", d.Changed, "reason")
	if len(d.Appeared) != 1 || d.Appeared[0].ResourceID != "new" {
		t.Errorf("Appeared = %+v", d.Appeared)
	}
	if len(d.Gone) != 1 || d.Gone[0].ResourceID != "gone" {
		t.Errorf("Gone = %+v", d.Gone)
	}
}

func TestDiffLatest(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if _, err := s.DiffLatest(ctx); !errors.Is(err, ErrNoPreviousScan) {
		t.Fatalf("no scans: err = %v, want ErrNoPreviousScan", err)
	}
	if _, err := s.SaveScan(ctx, t0, []Finding{finding("b", "NON_COMPLIANT", "UNENCRYPTED")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DiffLatest(ctx); !errors.Is(err, ErrNoPreviousScan) {
		t.Fatalf("one scan: err = %v, want ErrNoPreviousScan", err)
	}
	id, err := s.SaveScan(ctx, t0.Add(1), []Finding{finding("b", "COMPLIANT", "KEY_COMPLIANT")})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.DiffLatest(ctx)
	if err != nil || d.To.ID != id || d.From.ID != id-1 || len(d.Fixed) != 1 || d.To.Count != 1 {
		t.Fatalf("DiffLatest = %+v, %v", d, err)
	}
	dup := []Finding{finding("b", "COMPLIANT", ""), finding("b", "COMPLIANT", "")}
	if _, err := s.SaveScan(ctx, t0, dup); !errors.Is(err, ErrInvalid) {
		t.Fatalf("duplicate findings: err = %v, want ErrInvalid", err)
	}
	if _, err := s.SaveScan(ctx, t0, []Finding{{ResourceID: "x"}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("finding without type: err = %v, want ErrInvalid", err)
	}
	if _, err := s.ScanFindings(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown scan: err = %v, want ErrNotFound", err)
	}
}
