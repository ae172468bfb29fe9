package kmssvc

import (
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// maxTags is AWS's per-key tag quota.
const maxTags = 50

func validateTags(ts []tag) *awsproto.Error {
	for _, t := range ts {
		switch {
		case t.TagKey == "" || len(t.TagKey) > 128:
			return awsproto.Errorf("TagException", "Tag key %q must be 1 to 128 characters long", t.TagKey)
		case len(t.TagValue) > 256:
			return awsproto.Errorf("TagException", "The value of tag %q must be at most 256 characters long", t.TagKey)
		case strings.HasPrefix(strings.ToLower(t.TagKey), "aws:"):
			return awsproto.Errorf("TagException", "Tag key %q uses the reserved prefix aws:", t.TagKey)
		}
	}
	if len(ts) > maxTags {
		return awsproto.Errorf("LimitExceededException", "A KMS key can have at most %d tags", maxTags)
	}
	return nil
}

type tagReq struct {
	KeyId   *string
	Tags    []tag
	TagKeys []string
}

func (s *Service) tagTarget(c *svc.Call, ev *event) (*key, *tagReq, *awsproto.Error) {
	var req tagReq
	if err := decode(c, &req); err != nil {
		return nil, nil, err
	}
	if req.KeyId == nil {
		return nil, nil, errNull("keyId")
	}
	k, err := s.findKey(c, *req.KeyId, access{action: c.Op}, ev)
	if err != nil {
		return nil, nil, err
	}
	if k.state() == statePendingDeletion {
		return nil, nil, errKeyState(k)
	}
	return k, &req, nil
}

func tagResource(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	k, req, err := s.tagTarget(c, ev)
	if err != nil {
		return nil, err
	}
	if req.Tags == nil {
		return nil, errNull("tags")
	}
	merged := append([]tag(nil), k.Tags...)
	for _, t := range req.Tags {
		merged = setTag(merged, t)
	}
	if err := validateTags(merged); err != nil {
		return nil, err
	}
	k.Tags = merged
	if err := s.putKey(k); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func setTag(ts []tag, t tag) []tag {
	for i := range ts {
		if ts[i].TagKey == t.TagKey {
			ts[i].TagValue = t.TagValue
			return ts
		}
	}
	return append(ts, t)
}

func untagResource(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	k, req, err := s.tagTarget(c, ev)
	if err != nil {
		return nil, err
	}
	if req.TagKeys == nil {
		return nil, errNull("tagKeys")
	}
	kept := []tag{}
	for _, t := range k.Tags {
		if !contains(req.TagKeys, t.TagKey) {
			kept = append(kept, t)
		}
	}
	k.Tags = kept
	if err := s.putKey(k); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type listTagsReq struct {
	listReq
	KeyId *string
}

func listResourceTags(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req listTagsReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if req.KeyId == nil {
		return nil, errNull("keyId")
	}
	k, err := s.findKey(c, *req.KeyId, access{action: "ListResourceTags"}, ev)
	if err != nil {
		return nil, err
	}
	from, to, next, err := req.page(len(k.Tags), 50, 50)
	if err != nil {
		return nil, err
	}
	return listOut("Tags", append([]tag{}, k.Tags[from:to]...), next), nil
}

func init() {
	register("TagResource", opWrite, tagResource)
	register("UntagResource", opWrite, untagResource)
	register("ListResourceTags", opRead, listResourceTags)
}
