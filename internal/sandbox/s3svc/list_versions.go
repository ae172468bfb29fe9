package s3svc

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type xmlVersion struct {
	Key          string
	VersionId    string
	IsLatest     bool
	LastModified string
	ETag         string
	Size         int64
	StorageClass string
}

type listVersionsResult struct {
	XMLName             xml.Name `xml:"ListVersionsResult"`
	Xmlns               string   `xml:"xmlns,attr"`
	Name                string
	Prefix              string
	KeyMarker           string
	VersionIdMarker     string
	NextKeyMarker       string `xml:",omitempty"`
	NextVersionIdMarker string `xml:",omitempty"`
	MaxKeys             int
	IsTruncated         bool
	Versions            []xmlVersion `xml:"Version"`
}

// listVersions pages through every version of the bucket's objects
// (prefix, key-marker, version-id-marker, max-keys ≤ 1000): keys in order,
// each key's versions newest first. It walks the sorted key index a page
// at a time.
func (s *Service) listVersions(w http.ResponseWriter, c *svc.Call, t target) *awsproto.Error {
	q := c.Req.URL.Query()
	max := 1000
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return awsproto.Errorf("InvalidArgument", "Provided max-keys not an integer or within integer range")
		}
		max = min(n, 1000)
	}
	out := listVersionsResult{Xmlns: xmlns, Name: t.bucket, Prefix: q.Get("prefix"), KeyMarker: q.Get("key-marker"),
		VersionIdMarker: q.Get("version-id-marker"), MaxKeys: max, Versions: []xmlVersion{}}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, err := s.owned(c, t.bucket, false); err != nil {
		return err
	}
	s.fillVersions(&out, t.bucket)
	writeXML(w, c.RequestID, out)
	return nil
}

// fillVersions adds versions after the markers until MaxKeys: the rest
// of the marker key's versions when a version marker is given, then the
// keys after the key marker; s.mu held.
func (s *Service) fillVersions(out *listVersionsResult, bucket string) {
	if out.MaxKeys == 0 {
		return
	}
	from := out.KeyMarker
	pending := out.VersionIdMarker != "" && from != ""
	for {
		keys := []string{from}
		if !pending {
			keys = s.keysAfter(bucket, out.Prefix, from, 100)
		}
		pending = false
		if len(keys) == 0 {
			return
		}
		for _, k := range keys {
			for _, v := range s.versionsOf(bucket, k, out.KeyMarker, out.VersionIdMarker) {
				if len(out.Versions) == out.MaxKeys {
					out.IsTruncated = true
					last := out.Versions[len(out.Versions)-1]
					out.NextKeyMarker, out.NextVersionIdMarker = last.Key, last.VersionId
					return
				}
				out.Versions = append(out.Versions, v)
			}
			from = k
		}
	}
}

// versionsOf lists key's versions newest first, skipping those up to the
// marker version when key is the marker key; s.mu held.
func (s *Service) versionsOf(bucket, key, keyMarker, versionMarker string) []xmlVersion {
	id := objectID(bucket, key)
	all := []*object{}
	if o := s.objects[id]; o != nil {
		all = append(all, o)
	}
	old := slices.Clone(s.versionsMap()[id])
	slices.Reverse(old)
	all = append(all, old...)
	out := make([]xmlVersion, 0, len(all))
	skipping := key == keyMarker && versionMarker != ""
	for i, o := range all {
		if skipping {
			skipping = nullID(o.VersionID) != versionMarker
			continue
		}
		sc := o.StorageClass
		if sc == "" {
			sc = "STANDARD"
		}
		out = append(out, xmlVersion{Key: o.Key, VersionId: nullID(o.VersionID), IsLatest: i == 0,
			LastModified: s3Time(o.LastModified), ETag: o.ETag, Size: o.Size, StorageClass: sc})
	}
	return out
}
