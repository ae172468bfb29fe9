package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// TestRotateAllRefusedFails: a request whose every key is refused (here
// the alias is gone from KMS) runs nothing and says so, and the exit
// status is 1, not 0: the work asked for was not done.
func TestRotateAllRefusedFails(t *testing.T) {
	w := newRotWorld(t, nil)
	_, err := w.kms(w.sb.Region()).DeleteAlias(context.Background(), &kms.DeleteAliasInput{AliasName: aws.String(rotAlias)})
	if err != nil {
		t.Fatal(err)
	}
	code, out := w.inproc("rotate", "--key", rotAlias, "--yes")
	if code != 1 || !strings.Contains(out, "1 key(s) refused, nothing changed: "+rotAlias) {
		t.Fatalf("rotate of a refused key: exit %d, want 1 naming it:\n%s", code, out)
	}
}
