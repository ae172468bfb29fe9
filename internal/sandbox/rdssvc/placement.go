package rdssvc

import (
	"slices"
	"strconv"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

// Limits RDS applies to the lists a restore takes.
const (
	maxTags           = 50
	maxSecurityGroups = 5
)

// list reads a Query list parameter name.<member>.N (the SDK sends
// name.member.N or name.<MemberName>.N); values in index order.
func (p params) list(name string) ([]string, *awsproto.Error) {
	type item struct {
		n int
		v string
	}
	var items []item
	for k, vs := range p {
		rest, ok := strings.CutPrefix(k, name+".")
		if !ok || len(vs) == 0 {
			continue
		}
		dot := strings.LastIndexByte(rest, '.')
		n, err := strconv.Atoi(rest[dot+1:])
		if err != nil || n < 1 || n > 1000 || strings.Contains(rest[:max(dot, 0)], ".") {
			return nil, invalidValue("The parameter %s is not a valid list member.", k)
		}
		items = append(items, item{n, vs[0]})
	}
	slices.SortFunc(items, func(a, b item) int { return a.n - b.n })
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.v)
	}
	return out, nil
}

// tags reads Tags.Tag.N.Key / .Value (or Tags.member.N.…).
func (p params) tags() ([]tag, *awsproto.Error) {
	byN := map[int]*tag{}
	for k, vs := range p {
		rest, ok := strings.CutPrefix(k, "Tags.")
		if !ok || len(vs) == 0 {
			continue
		}
		parts := strings.Split(rest, ".")
		if len(parts) != 3 || (parts[2] != "Key" && parts[2] != "Value") {
			return nil, invalidValue("The parameter %s is not a valid tag.", k)
		}
		n, err := strconv.Atoi(parts[1])
		if err != nil || n < 1 || n > 1000 {
			return nil, invalidValue("The parameter %s is not a valid tag.", k)
		}
		if byN[n] == nil {
			byN[n] = &tag{}
		}
		if parts[2] == "Key" {
			byN[n].Key = vs[0]
		} else {
			byN[n].Value = vs[0]
		}
	}
	if len(byN) > maxTags {
		return nil, awsproto.Errorf("TagQuotaPerResourceExceeded", "A resource can have at most %d tags.", maxTags)
	}
	ns := make([]int, 0, len(byN))
	for n := range byN {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	out := make([]tag, 0, len(ns))
	for _, n := range ns {
		if byN[n].Key == "" {
			return nil, invalidValue("Tag %d has no Key.", n)
		}
		out = append(out, *byN[n])
	}
	return out, nil
}

// placement reads what a create or restore request sets of pl; fields the
// request does not name keep pl's values (a restore starts from the
// snapshot's, which have none but the port).
func (p params) placement(pl placement) (placement, *awsproto.Error) {
	for name, dst := range map[string]*string{"DBSubnetGroupName": &pl.SubnetGroup,
		"DBParameterGroupName": &pl.ParameterGroup, "OptionGroupName": &pl.OptionGroup} {
		if v := p.str(name); v != "" {
			*dst = v
		}
	}
	var err *awsproto.Error
	if p.has("MultiAZ") {
		if pl.MultiAZ, err = p.bool("MultiAZ"); err != nil {
			return pl, err
		}
	}
	if pl.Port, err = p.int32("Port", pl.Port); err != nil {
		return pl, err
	}
	if pl.Port != 0 && (pl.Port < 1150 || pl.Port > 65535) {
		return pl, invalidValue("Invalid port %d: must be between 1150 and 65535.", pl.Port)
	}
	sgs, err := p.list("VpcSecurityGroupIds")
	if err != nil {
		return pl, err
	}
	if len(sgs) > maxSecurityGroups {
		return pl, invalidValue("At most %d VPC security groups can be associated.", maxSecurityGroups)
	}
	if len(sgs) > 0 {
		pl.SecurityGroups = sgs
	}
	tags, err := p.tags()
	if err != nil {
		return pl, err
	}
	if len(tags) > 0 {
		pl.Tags = tags
	}
	return pl, nil
}

// port is the instance's listener port.
func (i *instance) port() int32 {
	if i.Port != 0 {
		return i.Port
	}
	return enginePort(i.Engine)
}

func placementXML(x *xmlInstance, i *instance) {
	x.DbInstancePort = i.port()
	if i.SubnetGroup != "" {
		x.DBSubnetGroup = &xmlSubnetGroup{DBSubnetGroupName: i.SubnetGroup}
	}
	pg := i.ParameterGroup
	if pg == "" {
		pg = "default." + i.Engine
	}
	x.DBParameterGroups = []xmlParameterGroup{{DBParameterGroupName: pg, ParameterApplyStatus: "in-sync"}}
	if i.OptionGroup != "" {
		x.OptionGroupMemberships = []xmlOptionGroup{{OptionGroupName: i.OptionGroup, Status: "in-sync"}}
	}
	x.VpcSecurityGroups = securityGroupsXML(i.SecurityGroups)
	x.TagList = tagsXML(i.Tags)
	if i.ClusterID != "" {
		tier := i.PromotionTier
		x.PromotionTier = &tier
	}
}

func securityGroupsXML(ids []string) []xmlSecurityGroup {
	out := make([]xmlSecurityGroup, 0, len(ids))
	for _, id := range ids {
		out = append(out, xmlSecurityGroup{VpcSecurityGroupId: id, Status: "active"})
	}
	return out
}

func tagsXML(tags []tag) []xmlTag {
	out := make([]xmlTag, 0, len(tags))
	for _, t := range tags {
		out = append(out, xmlTag(t))
	}
	return out
}
