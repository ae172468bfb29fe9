package awsx

import (
	"errors"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// RefreshOnExpiry returns a Retryer for cfg (its own Retryer, else its
// RetryMode: adaptive or standard) that, when AWS answers a call
// ExpiredToken / ExpiredTokenException, invalidates the given credential
// caches and retries, so the retried attempt signs with a new session.
//
// Why: an assumed-role session lasts 15 minutes to an hour, and the SDK
// refreshes it by the local clock only. When AWS's clock and ours
// disagree (a long wait, a suspended laptop, the sandbox's clock moved
// on) the cache still holds a session AWS already rejects, and every
// later call of a long run would fail. Every role session byok assumes
// gets this (Assume sets it), so the read, operator, migration and Config
// sessions all behave the same.
func RefreshOnExpiry(cfg aws.Config, caches ...aws.CredentialsProvider) func() aws.Retryer {
	next, mode := cfg.Retryer, cfg.RetryMode
	return func() aws.Retryer {
		var base aws.Retryer
		switch {
		case next != nil:
			base = next()
		case mode == aws.RetryModeAdaptive:
			base = retry.NewAdaptiveMode()
		default:
			base = retry.NewStandard()
		}
		if inner, ok := base.(expiryRetryer); ok { // a chained session: refresh every link
			return expiryRetryer{RetryerV2: inner.RetryerV2, caches: append(slices.Clone(inner.caches), caches...)}
		}
		v2, ok := base.(aws.RetryerV2)
		if !ok {
			v2 = retry.NewStandard()
		}
		return expiryRetryer{RetryerV2: v2, caches: caches}
	}
}

type expiryRetryer struct {
	aws.RetryerV2
	caches []aws.CredentialsProvider
}

// IsErrorRetryable invalidates the cached sessions on an expired token,
// so the retried attempt signs with new ones.
func (r expiryRetryer) IsErrorRetryable(err error) bool {
	if IsExpiredToken(err) || bodilessS3Expiry(err) {
		for _, c := range r.caches {
			if cc, ok := c.(*aws.CredentialsCache); ok {
				cc.Invalidate()
			}
		}
		return true
	}
	return r.RetryerV2.IsErrorRetryable(err)
}

// IsExpiredToken reports whether AWS refused a call because its session
// token expired (ExpiredToken for Query, REST-XML and S3 APIs,
// ExpiredTokenException for JSON APIs).
func IsExpiredToken(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "ExpiredToken" || ae.ErrorCode() == "ExpiredTokenException")
}
