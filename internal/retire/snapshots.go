package retire

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/byok-dev/byok/internal/estate"
)

// RDS is the snapshot reading of the evidence (the scan's verify role in
// each consumer account).
type RDS interface {
	DescribeDBSnapshots(ctx context.Context, in *rds.DescribeDBSnapshotsInput, opts ...func(*rds.Options)) (*rds.DescribeDBSnapshotsOutput, error)
	DescribeDBClusterSnapshots(ctx context.Context, in *rds.DescribeDBClusterSnapshotsInput, opts ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotsOutput, error)
}

// Snapshot is a DB snapshot or DB cluster snapshot encrypted under the
// key: the final snapshot a migration took, a manual one the owner made.
// Nothing restores it while the key is disabled, and nothing ever once
// the key is deleted.
type Snapshot struct {
	Account string    `json:"account"`
	Region  string    `json:"region"`
	ID      string    `json:"id"`
	Cluster bool      `json:"cluster"` // a DB cluster snapshot (Aurora)
	Type    string    `json:"type"`    // manual, automated, shared…
	Of      string    `json:"of"`      // the instance or cluster it was taken of
	Created time.Time `json:"created"`
	// Target is the key a copy belongs on: the estate's rds key of the
	// account's environment ("" when the estate names none).
	Target string `json:"target,omitempty"`
}

// SnapshotRead is one account and Region whose snapshots could not be
// listed.
type SnapshotRead struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Err     string `json:"error"`
}

// ListSnapshots lists the DB snapshots and DB cluster snapshots of one
// account and Region that are encrypted under keyARN (RDS reports the
// key ARN in KmsKeyId).
func ListSnapshots(ctx context.Context, c RDS, account, region, keyARN string) ([]Snapshot, error) {
	var out []Snapshot
	p := rds.NewDescribeDBSnapshotsPaginator(c, &rds.DescribeDBSnapshotsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, fmt.Errorf("describe DB snapshots in %s %s: %w", account, region, err)
		}
		for _, s := range page.DBSnapshots {
			if aws.ToBool(s.Encrypted) && SameKey(aws.ToString(s.KmsKeyId), keyARN) {
				out = append(out, Snapshot{Account: account, Region: region, ID: aws.ToString(s.DBSnapshotIdentifier),
					Type: aws.ToString(s.SnapshotType), Of: aws.ToString(s.DBInstanceIdentifier), Created: aws.ToTime(s.SnapshotCreateTime)})
			}
		}
	}
	cp := rds.NewDescribeDBClusterSnapshotsPaginator(c, &rds.DescribeDBClusterSnapshotsInput{})
	for cp.HasMorePages() {
		page, err := cp.NextPage(ctx)
		if err != nil {
			return out, fmt.Errorf("describe DB cluster snapshots in %s %s: %w", account, region, err)
		}
		for _, s := range page.DBClusterSnapshots {
			if aws.ToBool(s.StorageEncrypted) && SameKey(aws.ToString(s.KmsKeyId), keyARN) {
				out = append(out, Snapshot{Account: account, Region: region, ID: aws.ToString(s.DBClusterSnapshotIdentifier), Cluster: true,
					Type: aws.ToString(s.SnapshotType), Of: aws.ToString(s.DBClusterIdentifier), Created: aws.ToTime(s.SnapshotCreateTime)})
			}
		}
	}
	return out, nil
}

// snapshots reads every consumer account and Region of the estate.
func (s Sources) snapshots(ctx context.Context, keyARN string) ([]Snapshot, []SnapshotRead) {
	var out []Snapshot
	var failed []SnapshotRead
	for _, acct := range s.consumerAccounts() {
		for _, region := range s.Estate.Regions {
			sn, err := ListSnapshots(ctx, s.RDS(acct, region), acct, region, keyARN)
			target := s.rdsTarget(ctx, acct, region, len(sn))
			for i := range sn {
				sn[i].Target = target
			}
			out = append(out, sn...)
			if err != nil {
				failed = append(failed, SnapshotRead{Account: acct, Region: region, Err: err.Error()})
			}
		}
	}
	return out, failed
}

// rdsTarget is the key ARN of the estate's rds key for account's
// environment in region ("" when there is none, n is 0 or the alias
// cannot be resolved: the hint then names no key).
func (s Sources) rdsTarget(ctx context.Context, account, region string, n int) string {
	env, ok := s.Estate.EnvForAccount(account)
	if n == 0 || !ok {
		return ""
	}
	k, ok := s.Estate.KeyFor(env.Name, estate.ServiceRDS, region)
	if !ok {
		return ""
	}
	d, err := s.KMS(region).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(k.AliasARN())})
	if err != nil {
		return ""
	}
	return aws.ToString(d.KeyMetadata.Arn)
}

func (s Sources) consumerAccounts() []string {
	var out []string
	for _, env := range s.Estate.Environments {
		if env.Account != s.Estate.SecurityAccount && !slices.Contains(out, env.Account) {
			out = append(out, env.Account)
		}
	}
	return out
}

// snapshotWarnings are the snapshots on the key, and the places byok
// could not read, as warnings: disabling the key (reversible) makes them
// unrestorable until it is enabled again; deleting it makes them
// unrestorable for ever, so ForDeletion turns each into a blocker.
func snapshotWarnings(ev Evidence) []Blocker {
	out := make([]Blocker, 0, len(ev.Snapshots)+len(ev.SnapshotReads))
	for _, sn := range ev.Snapshots {
		target := sn.Target
		if target == "" {
			target = "NEW_KEY_ARN"
		}
		kind, api, flag := "DB snapshot", "copy-db-snapshot --source-db-snapshot-identifier", "--target-db-snapshot-identifier"
		if sn.Cluster {
			kind, api, flag = "DB cluster snapshot", "copy-db-cluster-snapshot --source-db-cluster-snapshot-identifier", "--target-db-cluster-snapshot-identifier"
		}
		out = append(out, Blocker{Kind: BlockSnapshot, Account: sn.Account, Region: sn.Region, Subject: "rds " + kind + " " + sn.ID,
			Detail: fmt.Sprintf("%s %s of %s, created %s, encrypted under the key: unrestorable while the key is disabled, for ever once it is deleted; "+
				"copy it to the new key (aws rds %s %s %s %s-rekeyed --kms-key-id %s) or delete it per your retention policy (byok never deletes data)",
				strings.TrimSpace(sn.Type), kind, sn.Of, sn.Created.UTC().Format(time.RFC3339), api, sn.ID, flag, sn.ID, target)})
	}
	for _, r := range ev.SnapshotReads {
		out = append(out, Blocker{Kind: BlockNotVerified, Account: r.Account, Region: r.Region, Subject: "rds snapshots",
			Detail: "could not list DB snapshots, so none on the key can be ruled out: " + r.Err})
	}
	return out
}

// ForDeletion is d judged for ScheduleKeyDeletion of a retired key: the
// key is expected to be disabled (its key-state blocker goes), and every
// warning blocks, since a deleted key never decrypts again.
func ForDeletion(d Decision) Decision {
	out := Decision{KeyARN: d.KeyARN, Ignored: d.Ignored, Blockers: []Blocker{}}
	for _, b := range d.Blockers {
		if b.Kind != BlockKeyState {
			out.Blockers = append(out.Blockers, b)
		}
	}
	out.Blockers = append(out.Blockers, d.Warnings...)
	return out
}
