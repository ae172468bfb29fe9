package configsvc

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"time"
)

// Configuration item statuses.
const (
	StatusDiscovered = "ResourceDiscovered"
	StatusOK         = "OK"
	StatusDeleted    = "ResourceDeleted"
)

// Record is one configuration item: an Item captured at a time with a
// status. Deleted records carry no configuration.
type Record struct {
	Item    Item      `json:"item"`
	Status  string    `json:"status"`
	Capture time.Time `json:"capture"`
	StateID int64     `json:"stateId"`
	Hash    string    `json:"hash"`
}

// history is one resource's configuration items, oldest first.
type history struct {
	Account string   `json:"account"`
	Region  string   `json:"region"`
	Type    string   `json:"type"`
	ID      string   `json:"id"`
	Records []Record `json:"records"`
}

func resKey(typ, id string) string { return typ + "|" + id }

func (h *history) storeKey() string { return h.Account + "/" + h.Region + "/" + resKey(h.Type, h.ID) }

func (h *history) last() *Record { return &h.Records[len(h.Records)-1] }

func (s *Service) putHistory(h *history) {
	sc := scope{h.Account, h.Region}
	if s.history[sc] == nil {
		s.history[sc] = map[string]*history{}
	}
	s.history[sc][resKey(h.Type, h.ID)] = h
}

func itemHash(it Item) string {
	var b bytes.Buffer
	b.Write(it.Configuration)
	sup, _ := json.Marshal(it.Supplementary)
	b.Write(sup)
	b.WriteString(it.ResourceName)
	sum := md5.Sum(b.Bytes())
	return hex.EncodeToString(sum[:])
}

// sync records what changed in one account and Region since the last look:
// new resources (ResourceDiscovered), changed ones (OK) and vanished ones
// (ResourceDeleted, captured now). Called with s.mu held.
func (s *Service) sync(account, region string, now time.Time) error {
	sc := scope{account, region}
	live := map[string]bool{}
	for _, src := range s.sources {
		for _, it := range src.Items(account, region) {
			k := resKey(it.ResourceType, it.ResourceID)
			live[k] = true
			if err := s.observe(sc, k, it, now); err != nil {
				return err
			}
		}
	}
	for k, h := range s.history[sc] {
		if live[k] || h.last().Status == StatusDeleted {
			continue
		}
		gone := h.last().Item
		gone.Configuration, gone.Supplementary = nil, nil
		if err := s.appendRecord(h, Record{Item: gone, Status: StatusDeleted, Capture: later(now, h.last().Capture)}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) observe(sc scope, k string, it Item, now time.Time) error {
	h := s.history[sc][k]
	hash := itemHash(it)
	if h == nil {
		h = &history{Account: sc.account, Region: sc.region, Type: it.ResourceType, ID: it.ResourceID}
		s.putHistory(h)
		return s.appendRecord(h, Record{Item: it, Status: StatusDiscovered, Capture: it.ChangedAt, Hash: hash})
	}
	last := h.last()
	if last.Hash == hash && last.Status != StatusDeleted {
		return nil
	}
	status, at := StatusOK, it.ChangedAt
	if last.Status == StatusDeleted {
		status = StatusDiscovered
	}
	if !at.After(last.Capture) {
		at = later(now, last.Capture)
	}
	return s.appendRecord(h, Record{Item: it, Status: status, Capture: at, Hash: hash})
}

func later(now, prev time.Time) time.Time {
	if now.After(prev) {
		return now
	}
	return prev.Add(time.Millisecond)
}

func (s *Service) appendRecord(h *history, r Record) error {
	if r.Capture.IsZero() {
		r.Capture = s.env.Clock.Now()
	}
	r.StateID = r.Capture.UnixMilli()
	h.Records = append(h.Records, r)
	return s.env.State.Put(kindHistory, h.storeKey(), h)
}

// apiItem is a ConfigurationItem as GetResourceConfigHistory returns it:
// configuration and supplementary values are JSON strings.
type apiItem struct {
	Version                      string            `json:"version"`
	AccountID                    string            `json:"accountId"`
	ConfigurationItemCaptureTime float64           `json:"configurationItemCaptureTime"`
	ConfigurationItemStatus      string            `json:"configurationItemStatus"`
	ConfigurationStateID         string            `json:"configurationStateId"`
	ConfigurationItemMD5Hash     string            `json:"configurationItemMD5Hash,omitempty"`
	ARN                          string            `json:"arn"`
	ResourceType                 string            `json:"resourceType"`
	ResourceID                   string            `json:"resourceId"`
	ResourceName                 string            `json:"resourceName,omitempty"`
	AWSRegion                    string            `json:"awsRegion"`
	AvailabilityZone             string            `json:"availabilityZone,omitempty"`
	ResourceCreationTime         *float64          `json:"resourceCreationTime,omitempty"`
	Tags                         map[string]string `json:"tags"`
	RelatedEvents                []string          `json:"relatedEvents"`
	Relationships                []any             `json:"relationships"`
	Configuration                *string           `json:"configuration,omitempty"`
	SupplementaryConfiguration   map[string]string `json:"supplementaryConfiguration"`
	RecordingFrequency           string            `json:"recordingFrequency"`
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (r *Record) api() apiItem {
	it := r.Item
	out := apiItem{Version: "1.3", AccountID: it.Account, ConfigurationItemCaptureTime: epoch(r.Capture),
		ConfigurationItemStatus: r.Status, ConfigurationStateID: strconv.FormatInt(r.StateID, 10),
		ARN: it.ARN, ResourceType: it.ResourceType, ResourceID: it.ResourceID, ResourceName: it.ResourceName,
		AWSRegion: it.Region, AvailabilityZone: it.AvailabilityZone, Tags: it.Tags, RelatedEvents: []string{},
		Relationships: []any{}, SupplementaryConfiguration: it.Supplementary, RecordingFrequency: "CONTINUOUS"}
	if !it.CreatedAt.IsZero() {
		ct := epoch(it.CreatedAt)
		out.ResourceCreationTime = &ct
	}
	if len(it.Configuration) > 0 {
		cfg := string(it.Configuration)
		out.Configuration = &cfg
	}
	if out.Tags == nil {
		out.Tags = map[string]string{}
	}
	if out.SupplementaryConfiguration == nil {
		out.SupplementaryConfiguration = map[string]string{}
	}
	return out
}

// sortedKeys returns a scope's resource keys of one type in resource-ID order.
func (s *Service) sortedKeys(sc scope, typ string) []*history {
	var out []*history
	for _, h := range s.history[sc] {
		if h.Type == typ {
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b *history) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}
