package rotation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/byok-dev/byok/internal/store"
)

// The DynamoDB method: UpdateTable SSESpecification (KMS, the target key
// ARN) in the table's Region and in every global-table replica's Region
// with that Region's key (the multi-Region replica of the target), then
// wait until each SSEDescription is ENABLED on its key. The table stays
// online. DynamoDB limits key switches per table per day: a refused
// switch stops the run with the time of the next allowed one.
func init() {
	register(&procedure{strategy: MigrateDynamoDB, resource: true, method: "dynamodb-update-table-sse", table: []stepDef{
		{step: store.StepPlan, do: (*keyJob).ddbPlan, next: []store.Step{store.StepUpdateSSE}},
		{step: store.StepUpdateSSE, do: (*keyJob).ddbUpdate, next: []store.Step{store.StepVerify}},
		{step: store.StepVerify, do: (*keyJob).ddbVerify, next: []store.Step{store.StepRecord}},
		{step: store.StepRecord, do: (*keyJob).ddbRecord, next: []store.Step{store.StepDone}},
		{step: store.StepDone, do: (*keyJob).done},
	}})
}

// ErrSwitchLimit: DynamoDB refused a key switch (its daily limit).
var ErrSwitchLimit = errors.New("DynamoDB's limit on encryption key switches per table refused the switch")

func (j *keyJob) ddbClient(ctx context.Context, region string) (DynamoDB, error) {
	r, err := j.e.resources()
	if err != nil {
		return nil, err
	}
	return r.DynamoDB(ctx, j.sub().Account, region)
}

func describeTable(ctx context.Context, c DynamoDB, name string) (*ddbtypes.TableDescription, error) {
	out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("DescribeTable %s: %w", name, err)
	}
	return out.Table, nil
}

func tableKey(t *ddbtypes.TableDescription) (key, status string) {
	if t.SSEDescription == nil {
		return "", ""
	}
	return aws.ToString(t.SSEDescription.KMSMasterKeyArn), string(t.SSEDescription.Status)
}

// regionKey is the target key in region: the target itself in its own
// Region, else its multi-Region replica (same key ID, mrk-).
func regionKey(target, region string) (string, error) {
	p := strings.SplitN(target, ":", 6)
	if len(p) != 6 {
		return "", fmt.Errorf("%q is not a key ARN", target)
	}
	if p[3] == region {
		return target, nil
	}
	if !strings.HasPrefix(p[5], "key/mrk-") {
		return "", fmt.Errorf("%w: the table has a replica in %s but %s is not a multi-Region key", ErrMigrationState, region, target)
	}
	p[3] = region
	return strings.Join(p, ":"), nil
}

func (j *keyJob) ddbPlan(ctx context.Context) error {
	s := j.sub()
	c, err := j.ddbClient(ctx, s.Region)
	if err != nil {
		return err
	}
	t, err := describeTable(ctx, c, s.Name)
	if err != nil {
		return err
	}
	key, sse := tableKey(t)
	switch {
	case t.TableStatus != ddbtypes.TableStatusActive:
		return j.refuse(fmt.Errorf("%w: table status %s; the method needs ACTIVE", ErrMigrationState, t.TableStatus))
	case sse == string(ddbtypes.SSEStatusUpdating):
		return j.refuse(fmt.Errorf("%w: a key switch is already under way (SSEDescription UPDATING)", ErrMigrationState))
	case key == s.TargetKey:
		return j.refuse(fmt.Errorf("%w: %s is already on %s", ErrMigrationState, s.Name, s.TargetKey))
	}
	for _, r := range t.Replicas {
		if _, err := regionKey(s.TargetKey, aws.ToString(r.RegionName)); err != nil {
			return j.refuse(err)
		}
	}
	j.rk.OldMaterialID, j.rk.OldKeyID = aws.ToString(t.TableId), key
	return j.saveMigration(ctx)
}

// tableRegions are the table's Region and its replicas' Regions.
func tableRegions(home string, t *ddbtypes.TableDescription) []string {
	out := []string{home}
	for _, r := range t.Replicas {
		if rg := aws.ToString(r.RegionName); rg != home {
			out = append(out, rg)
		}
	}
	return out
}

// ddbUpdate switches every replica to its Region's target key and waits.
func (j *keyJob) ddbUpdate(ctx context.Context) error {
	s := j.sub()
	home, err := j.ddbClient(ctx, s.Region)
	if err != nil {
		return err
	}
	t, err := describeTable(ctx, home, s.Name)
	if err != nil {
		return err
	}
	for _, region := range tableRegions(s.Region, t) {
		key, err := regionKey(s.TargetKey, region)
		if err != nil {
			return err
		}
		if err := j.switchTable(ctx, region, key); err != nil {
			return err
		}
	}
	return nil
}

// switchTable moves the table's replica in region onto key: UpdateTable
// unless it is already there (or on its way), then waits for ENABLED.
func (j *keyJob) switchTable(ctx context.Context, region, key string) error {
	s := j.sub()
	c, err := j.ddbClient(ctx, region)
	if err != nil {
		return err
	}
	t, err := describeTable(ctx, c, s.Name)
	if err != nil {
		return err
	}
	if cur, _ := tableKey(t); cur != key {
		if err := updateSSE(ctx, c, s.Name, key); err != nil {
			return err
		}
	}
	return j.waitFor(ctx, "table "+s.Name+" ("+region+") SSE ENABLED on "+key, func(ctx context.Context) (bool, string, error) {
		t, err := describeTable(ctx, c, s.Name)
		if err != nil {
			return false, "", err
		}
		cur, st := tableKey(t)
		return cur == key && st == string(ddbtypes.SSEStatusEnabled), "SSE " + st + " on " + cur, nil
	})
}

// updateSSE asks DynamoDB for the switch; the daily limit's refusal keeps
// DynamoDB's text, which names the time of the next allowed switch.
func updateSSE(ctx context.Context, c DynamoDB, table, key string) error {
	spec := &ddbtypes.SSESpecification{Enabled: aws.Bool(true), SSEType: ddbtypes.SSETypeKms, KMSMasterKeyId: aws.String(key)}
	if key == "" {
		spec = &ddbtypes.SSESpecification{Enabled: aws.Bool(false)} // back to the AWS owned key
	}
	_, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(table), SSESpecification: spec})
	var le *ddbtypes.LimitExceededException
	if errors.As(err, &le) {
		return fmt.Errorf("%w: %s", ErrSwitchLimit, aws.ToString(le.Message))
	}
	if err != nil {
		return fmt.Errorf("UpdateTable %s SSESpecification %s: %w", table, key, err)
	}
	return nil
}

func (j *keyJob) ddbVerify(ctx context.Context) error {
	s := j.sub()
	c, err := j.ddbClient(ctx, s.Region)
	if err != nil {
		return err
	}
	t, err := describeTable(ctx, c, s.Name)
	if err != nil {
		return err
	}
	key, st := tableKey(t)
	if key != s.TargetKey || st != string(ddbtypes.SSEStatusEnabled) || t.TableStatus != ddbtypes.TableStatusActive {
		return fmt.Errorf("%w: table %s is %s with SSE %s on %s, want ACTIVE, ENABLED on %s", ErrVerification, s.Name,
			t.TableStatus, st, key, s.TargetKey)
	}
	j.rk.Verification, _ = json.Marshal(map[string]any{"table": s.Name, "kms_key_arn": key, "sse_status": st,
		"table_status": string(t.TableStatus), "regions": tableRegions(s.Region, t)})
	return j.saveMigration(ctx)
}

func (j *keyJob) ddbRecord(ctx context.Context) error {
	return j.migrationRecord(ctx, map[string]any{"method": "dynamodb-update-table-sse"})
}
