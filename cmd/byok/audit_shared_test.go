package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/byok-dev/byok/internal/awsx"
)

// TestAuditVerifyShared: a rotation with a shared state location links its
// audit entry into the shared chain; audit verify-shared finds the chain
// intact and holding the local entry. Edited behind byok (an entry's
// content changed), the chain is refused (exit 1); a second state file
// whose entry is not in the chain is named as missing.
func TestAuditVerifyShared(t *testing.T) {
	rotShm(t)
	w := newRotWorld(t, nil)
	loc, _ := w.stateBucket(t)
	if code, out := w.inproc("rotate", "--key", rotAlias, "--yes", "--state-location", loc); code != 0 {
		t.Fatalf("rotate: exit %d\n%s", code, out)
	}
	code, out := w.inproc("audit", "verify-shared", "--state-location", loc, "--format", "json")
	var rep struct {
		Entries int      `json:"entries"`
		Missing []string `json:"missing"`
	}
	if err := json.Unmarshal([]byte(out[max(0, strings.Index(out, "{")):]), &rep); code != 0 || err != nil || rep.Entries != 1 || len(rep.Missing) != 0 {
		t.Fatalf("verify-shared after one rotation: exit %d (%v) %+v\n%s", code, err, rep, out)
	}

	// A local entry the chain lacks: a rotation on this state file without
	// the shared location (after the chain began).
	if code, out := w.inproc("rotate", "--key", rotAlias, "--yes"); code != 0 {
		t.Fatalf("local rotate: exit %d\n%s", code, out)
	}
	code, out = w.inproc("audit", "verify-shared", "--state-location", loc)
	if code != 1 || !strings.Contains(out, "MISSING from the shared chain: r-") {
		t.Fatalf("verify-shared with a local-only entry: exit %d, want 1 naming it\n%s", code, out)
	}

	// An entry edited behind byok breaks the chain.
	c := awsx.S3(w.sb.Config(context.Background(), w.est.SecurityAccount))
	ctx := context.Background()
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(sharedBucket), Prefix: aws.String("team/audit/entries")})
	if err != nil || len(list.Contents) == 0 {
		t.Fatalf("shared entries: %v %v", list, err)
	}
	tampered := `{"seq":1,"prev":"","hash":"00","entry":{"RunID":"r-20200101T000000Z-0000"}}`
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(sharedBucket), Key: list.Contents[0].Key, Body: strings.NewReader(tampered)}); err != nil {
		t.Fatal(err)
	}
	code, out = w.inproc("audit", "verify-shared", "--state-location", loc)
	if code != 1 || !strings.Contains(out, "shared audit") {
		t.Fatalf("verify-shared of a tampered chain: exit %d, want 1 naming the broken entry\n%s", code, out)
	}
}
