package configrule

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
)

const (
	secAcct = "111111111111"
	devAcct = "222222222222"
	region  = "eu-west-1"
	day     = 24 * time.Hour

	idDevS3  = "33333333-3333-4333-8333-333333333333"
	idDevRDS = "44444444-4444-4444-8444-444444444444"
	idDevDDB = "55555555-5555-4555-8555-555555555555"
)

// The fixtures' capture and notification times; evaluation happens at testNow.
var (
	captureTime  = time.Date(2026, 2, 27, 10, 15, 30, 123e6, time.UTC)
	scheduleTime = time.Date(2026, 2, 27, 12, 0, 0, 0, time.UTC)
	testNow      = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

func keyARN(id string) string { return compliance.KeyARN("aws", region, secAcct, id) }

func loadEvent(t testing.TB, name string) events.ConfigEvent {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.ConfigEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ev
}

func testEstate(t testing.TB) *estate.Estate {
	t.Helper()
	e, err := estate.Parse("example.yaml", estate.ExampleYAML())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// testIndex is the Security account with dev's three keys; age is the age
// of every key's current material.
func testIndex(t testing.TB, age time.Duration) *compliance.Index {
	t.Helper()
	x := compliance.NewIndex()
	for id, alias := range map[string]string{idDevS3: "alias/dev/s3", idDevRDS: "alias/dev/rds", idDevDDB: "alias/dev/dynamodb"} {
		since := testNow.Add(-age)
		f := compliance.KeyFacts{ARN: keyARN(id), Manager: "CUSTOMER", State: "Enabled", Origin: "EXTERNAL",
			CurrentSince: since, CurrentID: "m-" + id[:8],
			Materials: []compliance.Material{{ID: "m-" + id[:8], State: "CURRENT", Since: since}}}
		if err := x.Add(f); err != nil {
			t.Fatal(err)
		}
		if err := x.AddAlias(secAcct, region, alias, keyARN(id)); err != nil {
			t.Fatal(err)
		}
	}
	return x
}

type fixedEstate struct{ e *estate.Estate }

func (f fixedEstate) Estate(context.Context, Params) (*estate.Estate, error) { return f.e, nil }

const ruleName = "OrgConfigRule-byok-key-rotation-ab12cd"
