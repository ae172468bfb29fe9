package s3controlsvc

import (
	"encoding/xml"
	"regexp"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

const xmlns = "http://awss3control.amazonaws.com/doc/2018-08-20/"

// CreateJobRequest is the body of CreateJob, as far as the sandbox serves it.
type CreateJobRequest struct {
	XMLName              xml.Name   `xml:"CreateJobRequest"`
	ClientRequestToken   string     `xml:"ClientRequestToken"`
	ConfirmationRequired bool       `xml:"ConfirmationRequired"`
	Description          string     `xml:"Description,omitempty"`
	Manifest             Manifest   `xml:"Manifest"`
	Operation            Operation  `xml:"Operation"`
	Priority             *int       `xml:"Priority"`
	Report               JobReport  `xml:"Report"`
	RoleArn              string     `xml:"RoleArn"`
	Tags                 []S3Tag    `xml:"Tags>member"`
	ManifestGenerator    *xml.Name  `xml:"ManifestGenerator,omitempty"`
	Extra                []anyField `xml:",any"`
}

type anyField struct {
	XMLName xml.Name
}

// Manifest is JobManifest.
type Manifest struct {
	Location struct {
		ETag            string `xml:"ETag"`
		ObjectArn       string `xml:"ObjectArn"`
		ObjectVersionId string `xml:"ObjectVersionId,omitempty"`
	} `xml:"Location"`
	Spec struct {
		Format string   `xml:"Format"`
		Fields []string `xml:"Fields>member"`
	} `xml:"Spec"`
}

// Operation is JobOperation; only S3PutObjectCopy is served.
type Operation struct {
	S3PutObjectCopy *CopyOperation `xml:"S3PutObjectCopy"`
	Other           []anyField     `xml:",any"`
}

// CopyOperation is S3CopyObjectOperation, as far as the sandbox serves it.
type CopyOperation struct {
	TargetResource    string `xml:"TargetResource,omitempty"`
	SSEAwsKmsKeyId    string `xml:"SSEAwsKmsKeyId,omitempty"`
	BucketKeyEnabled  bool   `xml:"BucketKeyEnabled,omitempty"`
	MetadataDirective string `xml:"MetadataDirective,omitempty"`
	StorageClass      string `xml:"StorageClass,omitempty"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	TargetKeyPrefix   string `xml:"TargetKeyPrefix,omitempty"`
}

// JobReport is the completion report configuration.
type JobReport struct {
	Bucket      string `xml:"Bucket,omitempty"`
	Enabled     bool   `xml:"Enabled"`
	Format      string `xml:"Format,omitempty"`
	Prefix      string `xml:"Prefix,omitempty"`
	ReportScope string `xml:"ReportScope,omitempty"`
}

// S3Tag is a job tag.
type S3Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

var (
	roleARN   = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
	bucketARN = regexp.MustCompile(`^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$`)
	objectARN = regexp.MustCompile(`^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(.+)$`)
)

func badRequest(format string, args ...any) *awsproto.Error {
	e := awsproto.Errorf("BadRequestException", format, args...)
	e.Status = 400
	return e
}

// ParseCreateJob decodes and validates a CreateJob body as S3 Control
// does: one operation, a CSV manifest with its ETag, a role ARN, a
// priority, a token of 1–64 characters, a report with a bucket and
// format when enabled.
func ParseCreateJob(body []byte) (*CreateJobRequest, *awsproto.Error) {
	var r CreateJobRequest
	if err := xml.Unmarshal(body, &r); err != nil {
		return nil, badRequest("The XML you provided was not well-formed or did not validate against our published schema")
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

func (r *CreateJobRequest) validate() *awsproto.Error {
	switch {
	case len(r.ClientRequestToken) < 1 || len(r.ClientRequestToken) > 64:
		return badRequest("ClientRequestToken must be 1-64 characters")
	case r.Priority == nil || *r.Priority < 0 || *r.Priority > 2147483647:
		return badRequest("Priority must be a non-negative integer")
	case !roleARN.MatchString(r.RoleArn):
		return badRequest("Invalid RoleArn: %q", r.RoleArn)
	case len(r.Description) > 256:
		return badRequest("Description must be at most 256 characters")
	case r.ManifestGenerator != nil:
		return notImplemented("ManifestGenerator")
	case len(r.Tags) > 50:
		return badRequest("A job can have at most 50 tags")
	}
	if err := r.Operation.validate(); err != nil {
		return err
	}
	if err := r.Manifest.validate(); err != nil {
		return err
	}
	return r.Report.validate()
}

func notImplemented(what string) *awsproto.Error {
	return &awsproto.Error{Status: 501, Code: "NotImplemented", Message: what + " is not implemented by the sandbox's S3 Batch Operations"}
}

func (o Operation) validate() *awsproto.Error {
	n := len(o.Other)
	if o.S3PutObjectCopy != nil {
		n++
	}
	switch {
	case n != 1:
		return badRequest("Exactly one operation must be specified, got %d", n)
	case o.S3PutObjectCopy == nil:
		return notImplemented("Operation " + o.Other[0].XMLName.Local)
	}
	c := o.S3PutObjectCopy
	switch {
	case !bucketARN.MatchString(c.TargetResource):
		return badRequest("Invalid TargetResource: %q (a bucket ARN, arn:aws:s3:::bucket)", c.TargetResource)
	case c.MetadataDirective != "" && c.MetadataDirective != "COPY" && c.MetadataDirective != "REPLACE":
		return badRequest("Invalid MetadataDirective: %q", c.MetadataDirective)
	case c.TargetKeyPrefix != "":
		return notImplemented("TargetKeyPrefix")
	}
	return nil
}

func (m Manifest) validate() *awsproto.Error {
	switch {
	case m.Spec.Format != "S3BatchOperations_CSV_20180820":
		if m.Spec.Format == "S3InventoryReport_CSV_20161130" {
			return notImplemented("Manifest format S3InventoryReport_CSV_20161130")
		}
		return badRequest("Invalid manifest format: %q", m.Spec.Format)
	case m.Location.ETag == "":
		return badRequest("Manifest ETag is required")
	case !objectARN.MatchString(m.Location.ObjectArn):
		return badRequest("Invalid manifest ObjectArn: %q (arn:aws:s3:::bucket/key)", m.Location.ObjectArn)
	}
	_, err := fieldIndexes(m.Spec.Fields)
	return err
}

func (r JobReport) validate() *awsproto.Error {
	if !r.Enabled {
		return nil
	}
	switch {
	case !bucketARN.MatchString(r.Bucket):
		return badRequest("Invalid report Bucket: %q (a bucket ARN)", r.Bucket)
	case r.Format != "Report_CSV_20180820":
		return badRequest("Invalid report Format: %q", r.Format)
	case r.ReportScope != "" && r.ReportScope != "AllTasks" && r.ReportScope != "FailedTasksOnly":
		return badRequest("Invalid ReportScope: %q", r.ReportScope)
	case len(r.Prefix) > 512 || strings.HasPrefix(r.Prefix, "/"):
		return badRequest("Invalid report Prefix: %q", r.Prefix)
	}
	return nil
}
