package s3svc

import "slices"

// index adds o to s.objects and to its bucket's sorted key list, which
// ListObjectsV2 pages through without sorting. s.mu held.
func (s *Service) index(o *object) {
	id := objectID(o.Bucket, o.Key)
	if _, ok := s.objects[id]; !ok {
		keys := s.keyIndex[o.Bucket]
		i, _ := slices.BinarySearch(keys, o.Key)
		s.keyIndex[o.Bucket] = slices.Insert(keys, i, o.Key)
	}
	s.objects[id] = o
}

// keysAfter returns up to n keys of bucket with prefix, strictly after
// after, in UTF-8 binary order as S3 lists them. s.mu held.
func (s *Service) keysAfter(bucket, prefix, after string, n int) []string {
	keys := s.keyIndex[bucket]
	start := after
	if prefix > start {
		start = prefix
	}
	i, found := slices.BinarySearch(keys, start)
	if found && start == after {
		i++
	}
	var out []string
	for ; i < len(keys) && len(out) < n; i++ {
		k := keys[i]
		if len(k) < len(prefix) || k[:len(prefix)] != prefix {
			break
		}
		out = append(out, k)
	}
	return out
}
