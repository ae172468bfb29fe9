package rotation_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sandbox/identity"
)

// beforeWatch is the test's real SDK clients, with a side effect: the
// first time the watch step asks for a CloudTrail client, fn runs (inside
// the run's watch window, without sleeping).
type beforeWatch struct {
	*clients
	once sync.Once
	fn   func()
}

func (b *beforeWatch) Trail(account, region string) rotation.Trail {
	b.once.Do(b.fn)
	return b.clients.Trail(account, region)
}

// TestWatchJudgesSameRoleNameElsewhere: a role named like byok's operator
// role but in the prod account is refused the dev key during the run; the
// watch step judges it (it is not the run's own call) and the run fails
// naming it, while byok's own journaled calls are not reported.
func TestWatchJudgesSameRoleNameElsewhere(t *testing.T) {
	w := newWorld(t, true)
	ctx := context.Background()
	k := w.key(t, "alias/dev/s3")
	const prod = "333333333333"
	name := w.est.Roles.Operator[strings.LastIndex(w.est.Roles.Operator, "/")+1:]
	arn := "arn:aws:iam::" + prod + ":role/" + name
	if err := w.sb.AddRole(identity.Role{ARN: arn, Account: prod, Name: name, Trusted: []string{prod}}); err != nil {
		t.Fatal(err)
	}
	impostor := kms.NewFromConfig(awsx.Assume(w.sb.Config(ctx, prod), arn))
	w.eng.Clients = &beforeWatch{clients: w.eng.Clients.(*clients), fn: func() {
		if _, err := impostor.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(k.AliasARN()), Plaintext: []byte("x")}); err == nil {
			t.Error("prod's role encrypted with the dev key")
		}
	}}
	_, err := w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{k}, Strategy: estate.StrategyInPlace, ChangeRef: "CHG-watch"})
	if !errors.Is(err, rotation.ErrFailedCalls) || !strings.Contains(err.Error(), "arn:aws:sts::"+prod+":assumed-role/"+name+"/") {
		t.Fatalf("run: %v, want ErrFailedCalls naming prod's %s role", err, name)
	}
	if strings.Contains(err.Error(), "arn:aws:sts::"+w.est.SecurityAccount) {
		t.Fatalf("the watch reported byok's own calls: %v", err)
	}
}
