// Package s3svc is the sandbox's Amazon S3 control surface (REST-XML,
// path-style and virtual-hosted requests): buckets with their Region and
// default encryption (ListBuckets, CreateBucket, HeadBucket,
// GetBucketLocation, DeleteBucket, Get/Put/DeleteBucketEncryption). Bucket
// names are global across accounts. A KMSMasterKeyID is stored verbatim,
// as S3 stores it: S3 does not resolve an alias when the configuration is
// put, which is why an alias there is a compliance finding. Objects are
// minimal (PutObject, GetObject with If-Match, HeadObject; the latest
// version only, no multipart, ranges, ACLs or per-object keys), enough
// for files such as the estate the Config rule reads. It also lists its
// buckets for the Config service.
package s3svc
