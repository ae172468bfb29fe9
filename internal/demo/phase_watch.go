package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/watch"
)

// watch reads CloudTrail in the Security and consumer accounts for failed
// KMS calls on every rotated key since the run began. A control call — an
// account outside the key policy trying the key — must show up, so a clean
// result means "no failures", not "nothing recorded".
func (s *story) watch(ctx context.Context) error {
	run, err := s.w.store.GetRun(ctx, s.inPlaceRun)
	if err != nil {
		return err
	}
	ctl, ctlAccount, err := s.controlCall(ctx)
	if err != nil {
		return err
	}
	res := WatchResult{KeysWatched: len(s.rotatedKeys)}
	for _, rk := range s.rotatedKeys {
		fs, err := s.keyFailures(ctx, rk.key, rk.rk.KeyARN, run.Created)
		if err != nil {
			return err
		}
		for _, f := range fs {
			wf := WatchFailure{Alias: rk.key.Alias, Account: f.Account, Principal: f.Principal, Event: f.Event, ErrorCode: f.ErrorCode, Count: f.Count}
			wf.Control = rk.key.Alias == ctl.Alias && strings.Contains(f.Principal, ":"+ctlAccount+":")
			if wf.Control {
				res.ControlDetected = true
			} else {
				res.RotationFailures += f.Count
			}
			res.Failures = append(res.Failures, wf)
		}
	}
	s.rep.Watch = res
	return s.printWatch(res, ctl.Alias, ctlAccount)
}

// keyFailures reads the key's failed calls in the Security and consumer accounts.
func (s *story) keyFailures(ctx context.Context, k estate.Key, keyARN string, since time.Time) ([]watch.Failure, error) {
	var out []watch.Failure
	for _, acct := range []string{s.w.est.SecurityAccount, k.Consumer} {
		fs, err := watch.Failures(ctx, s.w.clients.CloudTrail(acct, k.Region), acct, keyARN, since, time.Now().Add(time.Minute))
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			if f.ErrorCode != "ThrottlingException" {
				out = append(out, f)
			}
		}
	}
	return out, nil
}

// controlCall has an estate account that is not the key's consumer try to
// encrypt under a rotated key; the key policy must deny it. The key the
// new-key phase rotates next are skipped: that run's own watch step would
// (rightly) count the control call, CloudTrail times being whole seconds.
func (s *story) controlCall(ctx context.Context) (estate.Key, string, error) {
	for _, rk := range s.rotatedKeys {
		if slices.Contains(s.w.opts.NewKeyAliases, rk.key.Alias) {
			continue
		}
		for _, env := range s.w.est.Environments {
			if env.Account == rk.key.Consumer {
				continue
			}
			_, err := s.w.clients.KMS(env.Account, rk.key.Region).Encrypt(ctx, &kms.EncryptInput{
				KeyId: aws.String(rk.rk.KeyARN), Plaintext: []byte("control")})
			// KMS has no modelled AccessDeniedException type: match the API error code.
			var denied smithy.APIError
			if !errors.As(err, &denied) || denied.ErrorCode() != "AccessDeniedException" {
				return rk.key, "", fmt.Errorf("control call from %s on %s: want AccessDeniedException, got %v", env.Name, rk.key.Alias, err)
			}
			s.out.line("control: %s tried Encrypt with %s (not in its key policy) → AccessDenied, as it must", env.Name, rk.key.Alias)
			return rk.key, env.Account, nil
		}
	}
	return estate.Key{}, "", errors.New("control call: the estate needs two consumer accounts")
}

func (s *story) printWatch(res WatchResult, ctlAlias, ctlAccount string) error {
	for _, f := range res.Failures {
		tag := ""
		if f.Control {
			tag = s.out.paint(sgrDim, " (the control call)")
		}
		s.out.line("%-20s %s in %s: %s %s ×%d by %s%s", f.Alias, "failed call", s.accountName(f.Account), f.Event, f.ErrorCode, f.Count, f.Principal, tag)
	}
	if !res.ControlDetected {
		return fmt.Errorf("the control call from %s on %s is not in CloudTrail: the watch cannot be trusted", s.accountName(ctlAccount), ctlAlias)
	}
	if res.RotationFailures > 0 {
		return fmt.Errorf("%d failed KMS calls on rotated keys since the rotation began", res.RotationFailures)
	}
	s.out.ok("%s watched in the Security and consumer accounts: 0 failed calls caused by the rotation; the control call was seen",
		plural(res.KeysWatched, "key", "keys"))
	return nil
}
