package configsvc_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	rdssvc "github.com/byok-dev/byok/internal/sandbox/rdssvc"
)

// threeItems records three configuration items of the RDS instance, each
// class change applied once the previous one is done (rdssvc.DurModify
// apart), and returns their capture times, oldest first.
func threeItems(t *testing.T, e *env) (dbi string, at []time.Time) {
	t.Helper()
	ctx := context.Background()
	dbi = e.seed(t)
	for _, class := range []string{"", "db.r6g.large", "db.r6g.xlarge"} {
		if class != "" {
			e.srv.Env.Clock.Advance(rdssvc.DurModify)
			if _, err := e.rds.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("orders"),
				DBInstanceClass: aws.String(class), ApplyImmediately: aws.Bool(true)}); err != nil {
				t.Fatal(err)
			}
		}
		h, err := e.conf.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{
			ResourceType: types.ResourceTypeDBInstance, ResourceId: aws.String(dbi), Limit: 1})
		if err != nil || len(h.ConfigurationItems) != 1 {
			t.Fatalf("history: %+v, %v", h, err)
		}
		at = append(at, aws.ToTime(h.ConfigurationItems[0].ConfigurationItemCaptureTime))
	}
	if !at[0].Before(at[1]) || !at[1].Before(at[2]) {
		t.Fatalf("capture times not increasing: %v", at)
	}
	return dbi, at
}

// GetResourceConfigHistory's time range, order and pagination, as the
// AWS Config API Reference documents them; laterTime is inclusive, which
// the Developer Guide's oversized-notification example relies on.
func TestHistoryTimeRange(t *testing.T) {
	e := newEnv(t)
	dbi, at := threeItems(t, e)
	tests := map[string]struct {
		earlier, later *time.Time
		forward        bool
		limit          int32
		want           []int // indexes into at, in answer order
	}{
		"everything, newest first":            {nil, nil, false, 0, []int{2, 1, 0}},
		"everything, forward":                 {nil, nil, true, 0, []int{0, 1, 2}},
		"laterTime inclusive, one per page":   {nil, &at[1], false, 1, []int{1, 0}},
		"laterTime between items":             {nil, aws.Time(at[1].Add(30 * time.Second)), false, 0, []int{1, 0}},
		"earlierTime inclusive":               {&at[1], nil, false, 0, []int{2, 1}},
		"earlierTime inclusive, forward":      {&at[1], nil, true, 0, []int{1, 2}},
		"both bounds on one item":             {&at[1], &at[1], false, 0, []int{1}},
		"laterTime before the first item":     {nil, aws.Time(at[0].Add(-time.Second)), false, 0, nil},
		"forward, one per page (paginated)":   {nil, nil, true, 1, []int{0, 1, 2}},
		"newest first, one per page (ranged)": {&at[0], &at[2], false, 1, []int{2, 1, 0}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			in := &configservice.GetResourceConfigHistoryInput{ResourceType: types.ResourceTypeDBInstance, ResourceId: aws.String(dbi),
				EarlierTime: tc.earlier, LaterTime: tc.later, Limit: tc.limit}
			if tc.forward {
				in.ChronologicalOrder = types.ChronologicalOrderForward
			}
			var got []time.Time
			p := configservice.NewGetResourceConfigHistoryPaginator(e.conf, in)
			for p.HasMorePages() {
				page, err := p.NextPage(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if tc.limit > 0 && len(page.ConfigurationItems) > int(tc.limit) {
					t.Fatalf("page of %d items, limit %d", len(page.ConfigurationItems), tc.limit)
				}
				for _, it := range page.ConfigurationItems {
					got = append(got, aws.ToTime(it.ConfigurationItemCaptureTime))
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d items %v, want %v", len(got), got, tc.want)
			}
			for i, w := range tc.want {
				if !got[i].Equal(at[w]) {
					t.Fatalf("item %d captured %v, want %v", i, got[i], at[w])
				}
			}
		})
	}
}

func TestHistoryRangeErrors(t *testing.T) {
	e := newEnv(t)
	dbi, at := threeItems(t, e)
	tests := map[string]struct {
		in   configservice.GetResourceConfigHistoryInput
		want string
	}{
		"earlier after later": {configservice.GetResourceConfigHistoryInput{EarlierTime: &at[2], LaterTime: &at[0]}, "InvalidTimeRangeException"},
		"bad order":           {configservice.GetResourceConfigHistoryInput{ChronologicalOrder: "Sideways"}, "ValidationException"},
		"limit over 100":      {configservice.GetResourceConfigHistoryInput{Limit: 101}, "InvalidLimitException"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			in := tc.in
			in.ResourceType, in.ResourceId = types.ResourceTypeDBInstance, aws.String(dbi)
			if _, err := e.conf.GetResourceConfigHistory(context.Background(), &in); code(err) != tc.want {
				t.Fatalf("err = %v, want %s", err, tc.want)
			}
		})
	}
}
