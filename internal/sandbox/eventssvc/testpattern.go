package eventssvc

import (
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/eventpattern"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type testPatternIn struct {
	EventPattern string `json:"EventPattern"`
	Event        string `json:"Event"`
}

// requiredEventFields are the envelope fields TestEventPattern requires.
var requiredEventFields = []string{"id", "account", "source", "time", "region", "detail-type"}

func decodeTestPattern(body []byte) (*eventpattern.Pattern, map[string]any, *awsproto.Error) {
	var in testPatternIn
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, nil, err
	}
	p, err := eventpattern.Parse(in.EventPattern)
	if err != nil {
		return nil, nil, awsproto.Errorf("InvalidEventPatternException", "%s", err.Error())
	}
	ev, err := eventpattern.DecodeEvent([]byte(in.Event))
	if err != nil {
		return nil, nil, validation("Parameter Event is not valid: %v", err)
	}
	for _, f := range requiredEventFields {
		if _, ok := ev[f].(string); !ok {
			return nil, nil, validation("Parameter Event is not valid: the event must have a string %q field.", f)
		}
	}
	return p, ev, nil
}

func (s *Service) testEventPattern(c *svc.Call) (any, *awsproto.Error) {
	p, ev, err := decodeTestPattern(c.Body)
	if err != nil {
		return nil, err
	}
	return map[string]bool{"Result": p.MatchValue(ev)}, nil
}
