package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 27, 1, 2, 3, 0, time.UTC)

func testRun(t testing.TB) Run {
	t.Helper()
	return Run{ID: NewRunID(t0), Strategy: "in-place", ChangeRef: "CHG-1",
		Operator: "arn:aws:sts::111111111111:assumed-role/byok-operator/alice", Status: StatusPlanned, Created: t0}
}

func TestCreateRunValidation(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	tests := map[string]struct {
		edit func(r *Run)
		want error
	}{
		"ok": {func(r *Run) {}, nil},
		// The store keeps strategy names without judging them (the
		// rotation package parses them); only an empty one is refused.
		"new-key":        {func(r *Run) { r.Strategy = "new-key" }, nil},
		"reimport":       {func(r *Run) { r.Strategy = "reimport" }, nil},
		"bad id":         {func(r *Run) { r.ID = "run-1" }, ErrInvalid},
		"empty strategy": {func(r *Run) { r.Strategy = "" }, ErrInvalid},
		"zero status":    {func(r *Run) { r.Status = StatusUnknown }, ErrInvalid},
		"status range":   {func(r *Run) { r.Status = 42 }, ErrInvalid},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := testRun(t)
			tc.edit(&r)
			err := s.CreateRun(ctx, r)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("CreateRun: err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestRunLifecycle(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	older, newer := testRun(t), testRun(t)
	older.ID = NewRunID(t0.Add(-time.Hour))
	newer.DryRun = true
	for _, r := range []Run{older, newer} {
		if err := s.CreateRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateRun(ctx, newer); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate: err = %v, want ErrExists", err)
	}
	runs, err := s.ListRuns(ctx)
	if err != nil || len(runs) != 2 || runs[0].ID != newer.ID || !runs[0].DryRun {
		t.Fatalf("ListRuns = %+v, %v; want newest (dry-run) first", runs, err)
	}
	if err := s.SetRunStatus(ctx, newer.ID, StatusFailed, "verify: dev decrypt denied"); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetRun(ctx, newer.ID)
	if err != nil || got.Status != StatusFailed || got.Error != "verify: dev decrypt denied" || !got.Created.Equal(t0) {
		t.Fatalf("GetRun = %+v, %v", got, err)
	}
	if _, err := s.GetRun(ctx, "r-20200101T000000Z-0000"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetRun unknown: err = %v, want ErrNotFound", err)
	}
	if err := s.SetRunStatus(ctx, "r-20200101T000000Z-0000", StatusRunning, ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetRunStatus unknown: err = %v, want ErrNotFound", err)
	}
	if err := s.SetRunStatus(ctx, newer.ID, StatusUnknown, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("SetRunStatus zero: err = %v, want ErrInvalid", err)
	}
}

const keyA = "arn:aws:kms:eu-west-1:111111111111:key/0f1e2d3c-aaaa-bbbb-cccc-000000000001"

func TestRunKeyFacts(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	r := testRun(t)
	if err := s.CreateRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRunKey(ctx, "r-20200101T000000Z-0000", keyA); !errors.Is(err, ErrNotFound) {
		t.Fatalf("AddRunKey unknown run: err = %v, want ErrNotFound", err)
	}
	if err := s.AddRunKey(ctx, r.ID, keyA); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRunKey(ctx, r.ID, keyA); !errors.Is(err, ErrExists) {
		t.Fatalf("AddRunKey twice: err = %v, want ErrExists", err)
	}
	want := RunKey{HSMLabel: "byok-" + string(r.ID), BlobSHA256: strings.Repeat("ab", 32),
		ImportToken: []byte{1, 2, 3}, PublicKey: []byte{4, 5}, ParametersValidTo: t0.Add(24 * time.Hour),
		OldMaterialID: "m-old", NewMaterialID: "m-new", Verification: json.RawMessage(`{"dev":"ok"}`)}
	err := s.UpdateRunKey(ctx, r.ID, keyA, func(k *RunKey) error {
		k.HSMLabel, k.BlobSHA256, k.ImportToken, k.PublicKey = want.HSMLabel, want.BlobSHA256, want.ImportToken, want.PublicKey
		k.ParametersValidTo, k.OldMaterialID, k.NewMaterialID = want.ParametersValidTo, want.OldMaterialID, want.NewMaterialID
		k.Verification = want.Verification
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, acct := range []string{"333333333333", "222222222222"} {
		if err := s.PutCanary(ctx, r.ID, keyA, Canary{Account: acct, Region: "eu-west-1", Ciphertext: []byte("ct-" + acct)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.GetRunKey(ctx, r.ID, keyA)
	if err != nil {
		t.Fatal(err)
	}
	if got.HSMLabel != want.HSMLabel || got.BlobSHA256 != want.BlobSHA256 || !bytes.Equal(got.ImportToken, want.ImportToken) ||
		!bytes.Equal(got.PublicKey, want.PublicKey) || !got.ParametersValidTo.Equal(want.ParametersValidTo) ||
		got.NewMaterialID != "m-new" || string(got.Verification) != `{"dev":"ok"}` {
		t.Fatalf("GetRunKey = %+v", got)
	}
	if len(got.Canaries) != 2 || got.Canaries[0].Account != "222222222222" || string(got.Canaries[0].Ciphertext) != "ct-222222222222" {
		t.Fatalf("canaries = %+v", got.Canaries)
	}
	bad := func(k *RunKey) error { k.Verification = json.RawMessage("{"); return nil }
	if err := s.UpdateRunKey(ctx, r.ID, keyA, bad); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad verification JSON: err = %v, want ErrInvalid", err)
	}
	if err := s.UpdateRunKey(ctx, r.ID, "arn:other", func(*RunKey) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("update unknown key: err = %v, want ErrNotFound", err)
	}
	if err := s.PutCanary(ctx, r.ID, keyA, Canary{Account: "222222222222"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty canary: err = %v, want ErrInvalid", err)
	}
	keys, err := s.ListRunKeys(ctx, r.ID)
	if err != nil || len(keys) != 1 || len(keys[0].Canaries) != 2 {
		t.Fatalf("ListRunKeys = %+v, %v", keys, err)
	}
}
