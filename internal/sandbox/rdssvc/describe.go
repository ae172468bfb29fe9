package rdssvc

import (
	"encoding/base64"
	"slices"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

const (
	statusAvailable = "available"
	statusCreating  = "creating"
	statusDeleting  = "deleting"
)

type describeInstancesResult struct {
	XMLName     struct{}      `xml:"DescribeDBInstancesResult"`
	DBInstances []xmlInstance `xml:"DBInstances>DBInstance"`
	Marker      string        `xml:",omitempty"`
}

type describeClustersResult struct {
	XMLName    struct{}     `xml:"DescribeDBClustersResult"`
	DBClusters []xmlCluster `xml:"DBClusters>DBCluster"`
	Marker     string       `xml:",omitempty"`
}

type describeSnapshotsResult struct {
	XMLName     struct{}      `xml:"DescribeDBSnapshotsResult"`
	DBSnapshots []xmlSnapshot `xml:"DBSnapshots>DBSnapshot"`
	Marker      string        `xml:",omitempty"`
}

// page reads MaxRecords (20–100, default 100) and Marker and returns the
// slice of sorted ids to return plus the next marker. The marker is the
// next identifier, opaque to clients.
func page(p params, ids []string) ([]string, string, *awsproto.Error) {
	max, err := p.int32("MaxRecords", 100)
	if err != nil {
		return nil, "", err
	}
	if max < 20 || max > 100 {
		return nil, "", invalidValue("Invalid value %d for MaxRecords. Must be between 20 and 100", max)
	}
	slices.Sort(ids)
	start := 0
	if m := p.str("Marker"); m != "" {
		from, derr := base64.RawURLEncoding.DecodeString(m)
		if derr != nil {
			return nil, "", invalidValue("The parameter Marker is not valid.")
		}
		start, _ = slices.BinarySearch(ids, string(from))
	}
	end := min(start+int(max), len(ids))
	next := ""
	if end < len(ids) {
		next = base64.RawURLEncoding.EncodeToString([]byte(ids[end]))
	}
	return ids[start:end], next, nil
}

func (s *Service) describeInstances(c *svc.Call, p params) (any, *awsproto.Error) {
	sc := scope{c.Caller.Account, c.Region}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []string
	if id := p.str("DBInstanceIdentifier"); id != "" {
		if s.instances[sc][idFromRef(id)] == nil {
			return nil, notFound("DBInstanceNotFound", "DBInstance", id)
		}
		ids = []string{idFromRef(id)}
	} else {
		ids = keys(s.instances[sc])
	}
	ids, next, err := page(p, ids)
	if err != nil {
		return nil, err
	}
	out := describeInstancesResult{DBInstances: make([]xmlInstance, 0, len(ids)), Marker: next}
	for _, id := range ids {
		out.DBInstances = append(out.DBInstances, s.instanceXML(s.instances[sc][id]))
	}
	return out, nil
}

func (s *Service) describeClusters(c *svc.Call, p params) (any, *awsproto.Error) {
	sc := scope{c.Caller.Account, c.Region}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []string
	if id := p.str("DBClusterIdentifier"); id != "" {
		if s.clusters[sc][idFromRef(id)] == nil {
			return nil, notFound("DBClusterNotFoundFault", "DBCluster", id)
		}
		ids = []string{idFromRef(id)}
	} else {
		ids = keys(s.clusters[sc])
	}
	ids, next, err := page(p, ids)
	if err != nil {
		return nil, err
	}
	out := describeClustersResult{DBClusters: make([]xmlCluster, 0, len(ids)), Marker: next}
	for _, id := range ids {
		cl := s.clusters[sc][id]
		out.DBClusters = append(out.DBClusters, s.clusterXML(cl, s.members(cl)))
	}
	return out, nil
}

// members lists a cluster's instances; the first created is the writer.
func (s *Service) members(cl *cluster) []xmlMember {
	var in []*instance
	for _, i := range s.instances[cl.scope()] {
		if i.ClusterID == cl.ID {
			in = append(in, i)
		}
	}
	slices.SortFunc(in, func(a, b *instance) int { return a.CreatedAt.Compare(b.CreatedAt) })
	out := make([]xmlMember, 0, len(in))
	for n, i := range in {
		out = append(out, xmlMember{DBInstanceIdentifier: i.ID, IsClusterWriter: n == 0, PromotionTier: i.PromotionTier})
	}
	return out
}

func (s *Service) describeSnapshots(c *svc.Call, p params) (any, *awsproto.Error) {
	sc := scope{c.Caller.Account, c.Region}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []string
	instFilter := idFromRef(p.str("DBInstanceIdentifier"))
	switch id := p.str("DBSnapshotIdentifier"); {
	case id != "":
		if s.snapshots[sc][idFromRef(id)] == nil {
			return nil, notFound("DBSnapshotNotFound", "DBSnapshot", id)
		}
		ids = []string{idFromRef(id)}
	default:
		for sid, sn := range s.snapshots[sc] {
			if instFilter == "" || sn.InstanceID == instFilter {
				ids = append(ids, sid)
			}
		}
	}
	ids, next, err := page(p, ids)
	if err != nil {
		return nil, err
	}
	out := describeSnapshotsResult{DBSnapshots: make([]xmlSnapshot, 0, len(ids)), Marker: next}
	for _, id := range ids {
		out.DBSnapshots = append(out.DBSnapshots, s.snapshotXML(s.snapshots[sc][id]))
	}
	return out, nil
}

func keys[T any](m map[string]*T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
