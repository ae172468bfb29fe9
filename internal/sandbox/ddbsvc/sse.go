package ddbsvc

import (
	"slices"
	"time"

	"github.com/byok-dev/byok/internal/awslimits"
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
	"github.com/byok-dev/byok/internal/sandbox/trail"
)

// DurSSEUpdate is how long a key switch keeps the table and its
// SSEDescription UPDATING, on the sandbox clock (tests advance it).
const DurSSEUpdate = 5 * time.Minute

// switchKey applies an SSESpecification to t (a copy the caller
// persists): refused while a switch is under way, when t is already on the
// key, or beyond the daily switch limit (a switch to the AWS owned key,
// keyARN "", is always allowed, as in DynamoDB).
func (s *Service) switchKey(c *svc.Call, t *table, keyARN string) *awsproto.Error {
	if c.Now.Before(t.SSEUntil) {
		return awsproto.Errorf("ResourceInUseException",
			"Attempt to change a resource which is still in use: Table encryption is being updated: %s", t.Name)
	}
	if keyARN != "" && keyARN == t.KeyARN {
		return validation("Table is already encrypted by given KMSMasterKeyId")
	}
	if keyARN != "" {
		if next := awslimits.NextSSESwitch(t.CreatedAt, t.SSESwitches, c.Now); next.After(c.Now) {
			return awsproto.Errorf("LimitExceededException",
				"Encryption key switches for table %s exceeded the limit of %d per %s window (one more after %s without a switch); "+
					"the next switch is allowed at %s", t.Name, awslimits.SSESwitchesFree, awslimits.SSESwitchWindow,
				awslimits.SSESwitchQuietTime, next.UTC().Format(time.RFC3339))
		}
		t.SSESwitches = keepRecent(append(slices.Clone(t.SSESwitches), c.Now), c.Now)
	}
	t.KeyARN, t.SSEUntil = keyARN, c.Now.Add(DurSSEUpdate)
	return nil
}

// keepRecent drops switches older than two windows (they cannot count).
func keepRecent(sw []time.Time, now time.Time) []time.Time {
	out := sw[:0]
	for _, t := range sw {
		if now.Sub(t) < 2*awslimits.SSESwitchWindow {
			out = append(out, t)
		}
	}
	return out
}

// recordUpdate writes the CloudTrail management event of an UpdateTable
// that changed encryption (as DynamoDB records it in the table's account):
// what byok migrate plan reads to know the switches already made today.
func (s *Service) recordUpdate(c *svc.Call, tableARN string, spec *sseSpecification, aerr *awsproto.Error) {
	if spec == nil {
		return
	}
	params := map[string]any{"tableName": tableARN, "sSESpecification": map[string]any{
		"enabled": spec.Enabled != nil && *spec.Enabled, "sSEType": spec.SSEType, "kMSMasterKeyId": spec.KMSMasterKeyId}}
	e := trail.Event{EventVersion: "1.09", EventID: awsproto.NewRequestID(), EventTime: c.Now,
		EventSource: "dynamodb.amazonaws.com", EventName: "UpdateTable", AWSRegion: c.Region,
		SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent, UserIdentity: identityOf(c),
		RequestParameters: params, RequestID: c.RequestID, EventType: "AwsApiCall", ManagementEvent: true,
		RecipientAccountID: c.Caller.Account, EventCategory: "Management", Accounts: []string{c.Caller.Account},
		Resources: []trail.Resource{{ARN: tableARN, AccountID: c.Caller.Account, Type: "AWS::DynamoDB::Table"}}}
	if aerr != nil {
		e.ErrorCode, e.ErrorMessage = aerr.Code, aerr.Message
	}
	if err := s.env.Trail.Record(e); err != nil {
		s.env.Logger.Error("dynamodb trail record failed", "error", err.Error())
	}
}

func identityOf(c *svc.Call) trail.UserIdentity {
	return trail.UserIdentity{Type: string(c.Caller.Type), PrincipalID: c.Caller.UserID, ARN: c.Caller.ARN,
		AccountID: c.Caller.Account}
}
