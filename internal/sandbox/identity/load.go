package identity

import (
	"encoding/json"
	"fmt"

	"github.com/byok-dev/byok/internal/sandbox/statelog"
)

func loadAll[T any](log *statelog.Log, kind string, into map[string]T, key func(T) string) error {
	return log.Each(kind, func(_ string, raw json.RawMessage) error {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("load %s: %w", kind, err)
		}
		into[key(v)] = v
		return nil
	})
}
