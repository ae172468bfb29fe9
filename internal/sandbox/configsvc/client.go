package configsvc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// ErrAdmin: the sandbox's admin endpoint could not be reached or answered
// something other than events.
var ErrAdmin = errors.New("sandbox config admin")

// maxEventsBody bounds the admin answer read by FetchEvents.
const maxEventsBody = 256 << 20

// FetchEvents asks the sandbox at endpoint (its AWS endpoint URL) for the
// events of req, through POST /_byok/config/events. A request the sandbox
// rejects wraps ErrEventRequest with its message; anything else wraps
// ErrAdmin.
func FetchEvents(ctx context.Context, hc *http.Client, endpoint string, req EventRequest) ([]events.ConfigEvent, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("%w: encode request: %w", ErrAdmin, err)
	}
	url := strings.TrimSuffix(endpoint, "/") + "/_byok/config/events"
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAdmin, err)
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("%w: %w (hint: is `byok sandbox` running at %s?)", ErrAdmin, err, endpoint)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxEventsBody))
	if err != nil {
		return nil, fmt.Errorf("%w: read answer: %w", ErrAdmin, err)
	}
	return decodeEvents(resp.StatusCode, raw)
}

func decodeEvents(status int, raw []byte) ([]events.ConfigEvent, error) {
	if status != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		msg := strings.TrimSpace(string(raw))
		if json.Unmarshal(raw, &e) == nil && e.Error != "" {
			msg = e.Error
		}
		if status == http.StatusBadRequest {
			return nil, fmt.Errorf("%w: %s", ErrEventRequest, strings.TrimPrefix(msg, ErrEventRequest.Error()+": "))
		}
		return nil, fmt.Errorf("%w: HTTP %d: %s", ErrAdmin, status, msg)
	}
	var out EventsResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("%w: answer is not an events list: %w", ErrAdmin, err)
	}
	return out.Events, nil
}
