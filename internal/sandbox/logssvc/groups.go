package logssvc

import (
	"encoding/base64"
	"slices"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

const groupNamePattern = `[\.\-_/#A-Za-z0-9]+`

// retentionDays are the values PutRetentionPolicy accepts.
var retentionDays = []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

type createGroupIn struct {
	LogGroupName  string            `json:"logGroupName"`
	KmsKeyID      string            `json:"kmsKeyId"`
	LogGroupClass string            `json:"logGroupClass"`
	Tags          map[string]string `json:"tags"`
}

type groupOut struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	RetentionInDays   *int32 `json:"retentionInDays,omitempty"`
	MetricFilterCount int    `json:"metricFilterCount"`
	Arn               string `json:"arn"`
	StoredBytes       int64  `json:"storedBytes"`
	LogGroupClass     string `json:"logGroupClass"`
	LogGroupArn       string `json:"logGroupArn"`
}

func badGroupName(name string) *awsproto.Error {
	return invalidParam("1 validation error detected: Value '%s' at 'logGroupName' failed to satisfy constraint: "+
		"Member must satisfy regular expression pattern: %s (1 to 512 characters)", name, groupNamePattern)
}

func groupNotFound() *awsproto.Error { return notFound("The specified log group does not exist.") }

func (s *Service) createLogGroup(c *svc.Call) (any, *awsproto.Error) {
	var in createGroupIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	switch {
	case !validGroupName(in.LogGroupName):
		return nil, badGroupName(in.LogGroupName)
	case in.KmsKeyID != "":
		return nil, invalidParam("The sandbox's CloudWatch Logs does not encrypt log groups with KMS keys; create the group without kmsKeyId.")
	case in.LogGroupClass != "" && in.LogGroupClass != "STANDARD":
		return nil, invalidParam("The sandbox's CloudWatch Logs offers the STANDARD log class only, not %q.", in.LogGroupClass)
	}
	g := &group{Account: c.Caller.Account, Region: c.Region, Name: in.LogGroupName, Gen: newGen(),
		Created: c.Now.UnixMilli(), streams: map[string]*stream{}}
	k := groupKey{scope{g.Account, g.Region}, g.Name}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groups[k] != nil {
		return nil, awsproto.Errorf("ResourceAlreadyExistsException", "The specified log group already exists")
	}
	if err := s.env.State.Put(kindGroup, g.id(), g); err != nil {
		return nil, internal(err)
	}
	s.groups[k] = g
	return nil, nil
}

type groupNameIn struct {
	LogGroupName string `json:"logGroupName"`
}

func (s *Service) deleteLogGroup(c *svc.Call) (any, *awsproto.Error) {
	var in groupNameIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := groupKey{scope{c.Caller.Account, c.Region}, in.LogGroupName}
	g := s.groups[k]
	if g == nil {
		return nil, groupNotFound()
	}
	if err := s.env.State.Delete(kindGroup, g.id()); err != nil {
		return nil, internal(err)
	}
	delete(s.groups, k)
	for name := range g.streams {
		_ = s.env.State.Delete(kindStream, streamID(g.Gen, name))
	}
	return nil, nil
}

type describeGroupsIn struct {
	LogGroupNamePrefix  string `json:"logGroupNamePrefix"`
	LogGroupNamePattern string `json:"logGroupNamePattern"`
	NextToken           string `json:"nextToken"`
	Limit               *int   `json:"limit"`
	LogGroupClass       string `json:"logGroupClass"`
}

type describeGroupsOut struct {
	LogGroups []groupOut `json:"logGroups"`
	NextToken string     `json:"nextToken,omitempty"`
}

func (s *Service) describeLogGroups(c *svc.Call) (any, *awsproto.Error) {
	var in describeGroupsIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.Limit, 50)
	if err != nil {
		return nil, err
	}
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return nil, invalidParam("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	after, err := decodeNameToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k, g := range s.groups {
		if k.account == c.Caller.Account && k.region == c.Region && groupSelected(g, in) && g.Name > after {
			names = append(names, g.Name)
		}
	}
	slices.Sort(names)
	out := describeGroupsOut{LogGroups: []groupOut{}}
	for i, name := range names {
		if i == limit {
			out.NextToken = encodeNameToken(out.LogGroups[limit-1].LogGroupName)
			break
		}
		out.LogGroups = append(out.LogGroups, s.render(s.groups[groupKey{scope{c.Caller.Account, c.Region}, name}]))
	}
	return out, nil
}

func groupSelected(g *group, in describeGroupsIn) bool {
	if in.LogGroupClass != "" && in.LogGroupClass != "STANDARD" {
		return false
	}
	if in.LogGroupNamePattern != "" {
		return strings.Contains(strings.ToLower(g.Name), strings.ToLower(in.LogGroupNamePattern))
	}
	return strings.HasPrefix(g.Name, in.LogGroupNamePrefix)
}

// render shows g as DescribeLogGroups does: arn ends in ":*" (it names the
// group's streams, as IAM policies use it), logGroupArn does not.
func (s *Service) render(g *group) groupOut {
	arn := g.arn(s.env.Partition)
	out := groupOut{LogGroupName: g.Name, CreationTime: g.Created, Arn: arn + ":*", LogGroupArn: arn, LogGroupClass: "STANDARD"}
	if g.Retention != 0 {
		r := g.Retention
		out.RetentionInDays = &r
	}
	for _, st := range g.streams {
		out.StoredBytes += st.bytes
	}
	return out
}

type retentionIn struct {
	LogGroupName    string `json:"logGroupName"`
	RetentionInDays int32  `json:"retentionInDays"`
}

func (s *Service) putRetentionPolicy(c *svc.Call) (any, *awsproto.Error) {
	var in retentionIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if !slices.Contains(retentionDays, in.RetentionInDays) {
		return nil, invalidParam("1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: "+
			"Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]", in.RetentionInDays)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[groupKey{scope{c.Caller.Account, c.Region}, in.LogGroupName}]
	if g == nil {
		return nil, groupNotFound()
	}
	old := g.Retention
	g.Retention = in.RetentionInDays
	if err := s.env.State.Put(kindGroup, g.id(), g); err != nil {
		g.Retention = old
		return nil, internal(err)
	}
	return nil, nil
}

func pageLimit(limit *int, max int) (int, *awsproto.Error) {
	if limit == nil {
		return max, nil
	}
	if *limit < 1 || *limit > max {
		return 0, invalidParam("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: "+
			"Member must have value between 1 and %d", *limit, max)
	}
	return *limit, nil
}

const nameTokenPrefix = "logs-name:"

func encodeNameToken(after string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(nameTokenPrefix + after))
}

func decodeNameToken(t string) (string, *awsproto.Error) {
	if t == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(t)
	after, ok := strings.CutPrefix(string(raw), nameTokenPrefix)
	if err != nil || !ok {
		return "", invalidParam("The specified nextToken is invalid.")
	}
	return after, nil
}

func internal(err error) *awsproto.Error {
	return &awsproto.Error{Status: 500, Code: "ServiceUnavailableException", Message: "the sandbox could not persist the change: " + err.Error(), Server: true}
}
