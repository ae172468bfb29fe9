package kmssvc

import (
	"encoding/base64"
	"sort"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

func enableKey(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	return setEnabled(s, c, ev, true)
}

func disableKey(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	return setEnabled(s, c, ev, false)
}

func setEnabled(s *Service, c *svc.Call, ev *event, on bool) (any, *awsproto.Error) {
	var req keyIDReq
	if err := req.parse(c); err != nil {
		return nil, err
	}
	k, err := s.findKey(c, *req.KeyId, access{action: c.Op}, ev)
	if err != nil {
		return nil, err
	}
	if st := k.state(); st == statePendingDeletion || st == statePendingImport {
		return nil, errKeyState(k)
	}
	k.Enabled = on
	if err := s.putKey(k); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type scheduleReq struct {
	KeyId               *string
	PendingWindowInDays *int32
}

func scheduleKeyDeletion(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req scheduleReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if req.KeyId == nil {
		return nil, errNull("keyId")
	}
	days := deref(req.PendingWindowInDays, 30)
	switch {
	case days < 7:
		return nil, errValidation("1 validation error detected: Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7", days)
	case days > 30:
		return nil, errValidation("1 validation error detected: Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30", days)
	}
	k, err := s.findKey(c, *req.KeyId, access{action: "ScheduleKeyDeletion"}, ev)
	if err != nil {
		return nil, err
	}
	if k.state() == statePendingDeletion {
		return nil, errKeyState(k)
	}
	if len(k.Replicas) > 0 {
		return nil, errInvalidState("%s is a multi-Region primary key with replicas; delete its replicas first.", k.ARN)
	}
	when := c.Now.Add(time.Duration(days) * 24 * time.Hour).Truncate(time.Second)
	k.DeletionDate, k.WindowDays = &when, days
	if err := s.putKey(k); err != nil {
		return nil, err
	}
	return map[string]any{"KeyId": k.ARN, "DeletionDate": epoch(when), "KeyState": statePendingDeletion,
		"PendingWindowInDays": days}, nil
}

func cancelKeyDeletion(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req keyIDReq
	if err := req.parse(c); err != nil {
		return nil, err
	}
	k, err := s.findKey(c, *req.KeyId, access{action: "CancelKeyDeletion"}, ev)
	if err != nil {
		return nil, err
	}
	if k.state() != statePendingDeletion {
		return nil, errInvalidState("%s is not pending deletion.", k.ARN)
	}
	k.DeletionDate, k.WindowDays, k.Enabled = nil, 0, false
	if err := s.putKey(k); err != nil {
		return nil, err
	}
	return map[string]any{"KeyId": k.ARN}, nil
}

type updateDescReq struct {
	KeyId       *string
	Description *string
}

func updateKeyDescription(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req updateDescReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	switch {
	case req.KeyId == nil:
		return nil, errNull("keyId")
	case req.Description == nil:
		return nil, errNull("description")
	}
	k, err := s.findKey(c, *req.KeyId, access{action: "UpdateKeyDescription"}, ev)
	if err != nil {
		return nil, err
	}
	if k.state() == statePendingDeletion {
		return nil, errKeyState(k)
	}
	k.Description = *req.Description
	if err := s.putKey(k); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type listReq struct {
	Limit  *int32
	Marker *string
}

// page validates Limit (1..max, default def) and Marker (opaque: base64 of
// the index to resume at) for a list of n items.
func (r *listReq) page(n int, def, maxLimit int32) (from, to int, next string, err *awsproto.Error) {
	limit := deref(r.Limit, def)
	if limit < 1 || limit > maxLimit {
		return 0, 0, "", errValidation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and %d", limit, maxLimit)
	}
	if r.Marker != nil {
		raw, derr := base64.RawURLEncoding.DecodeString(*r.Marker)
		var idx int
		if derr != nil || len(raw) != 4 {
			return 0, 0, "", awsproto.Errorf("InvalidMarkerException", "Invalid marker")
		}
		idx = int(raw[0])<<24 | int(raw[1])<<16 | int(raw[2])<<8 | int(raw[3])
		if idx > n {
			return 0, 0, "", awsproto.Errorf("InvalidMarkerException", "Invalid marker")
		}
		from = idx
	}
	to = min(n, from+int(limit))
	if to < n {
		next = base64.RawURLEncoding.EncodeToString([]byte{byte(to >> 24), byte(to >> 16), byte(to >> 8), byte(to)})
	}
	return from, to, next, nil
}

type listKeysEntry struct {
	KeyId  string
	KeyArn string
}

func listKeys(s *Service, c *svc.Call, _ *event) (any, *awsproto.Error) {
	var req listReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	var all []*key
	for _, k := range s.keys {
		if k.Account == c.Caller.Account && k.Region == c.Region {
			all = append(all, k)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	from, to, next, err := req.page(len(all), 100, 1000)
	if err != nil {
		return nil, err
	}
	out := []listKeysEntry{}
	for _, k := range all[from:to] {
		out = append(out, listKeysEntry{k.ID, k.ARN})
	}
	return listOut("Keys", out, next), nil
}

func listOut(name string, items any, next string) map[string]any {
	m := map[string]any{name: items, "Truncated": next != ""}
	if next != "" {
		m["NextMarker"] = next
	}
	return m
}

func init() {
	register("EnableKey", opWrite, enableKey)
	register("DisableKey", opWrite, disableKey)
	register("ScheduleKeyDeletion", opWrite, scheduleKeyDeletion)
	register("CancelKeyDeletion", opWrite, cancelKeyDeletion)
	register("UpdateKeyDescription", opWrite, updateKeyDescription)
	register("ListKeys", opRead, listKeys)
}
