package pace

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// ThrottleFinal wraps an SDK retryer so that a throttling error is not
// retried by the SDK: the Pacer sees it (Call), lowers the rate and sends
// the call again when the lowered rate allows. Other errors keep the SDK's
// retries. Without it the SDK's own backoff would hide throttling from the
// Pacer and every later call would meet the same full rate.
func ThrottleFinal(r aws.Retryer) aws.Retryer {
	if r == nil {
		return nil
	}
	if v2, ok := r.(aws.RetryerV2); ok {
		return finalV2{v2}
	}
	return final{r}
}

type final struct{ aws.Retryer }

func (f final) IsErrorRetryable(err error) bool {
	return !IsThrottling(err) && f.Retryer.IsErrorRetryable(err)
}

type finalV2 struct{ aws.RetryerV2 }

func (f finalV2) IsErrorRetryable(err error) bool {
	return !IsThrottling(err) && f.RetryerV2.IsErrorRetryable(err)
}

// KMSOption is the per-call KMS option of paced calls (ThrottleFinal).
func KMSOption(o *kms.Options) { o.Retryer = ThrottleFinal(o.Retryer) }

// CloudTrailOption is the per-call CloudTrail option of paced calls
// (ThrottleFinal).
func CloudTrailOption(o *cloudtrail.Options) { o.Retryer = ThrottleFinal(o.Retryer) }
