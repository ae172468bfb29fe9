package s3controlsvc

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

// Task is one manifest row: an object (URL-decoded key) and maybe a version.
type Task struct {
	Bucket, Key, VersionID string
}

// maxTasks bounds one sandbox job (AWS allows billions; the sandbox keeps
// tasks in memory).
const maxTasks = 5_000_000

type fields struct{ bucket, key, version int }

// fieldIndexes maps Spec.Fields (default Bucket, Key) to column indexes.
func fieldIndexes(fs []string) (fields, *awsproto.Error) {
	if len(fs) == 0 {
		fs = []string{"Bucket", "Key"}
	}
	f := fields{-1, -1, -1}
	for i, name := range fs {
		var p *int
		switch name {
		case "Bucket":
			p = &f.bucket
		case "Key":
			p = &f.key
		case "VersionId":
			p = &f.version
		case "Ignore":
			continue
		default:
			return f, badRequest("Invalid manifest field: %q (Ignore, Bucket, Key or VersionId)", name)
		}
		if *p >= 0 {
			return f, badRequest("Manifest field %s is listed twice", name)
		}
		*p = i
	}
	if f.bucket < 0 || f.key < 0 {
		return f, badRequest("Manifest fields must include Bucket and Key")
	}
	return f, nil
}

// ErrManifest is a manifest that cannot be read; the job fails with it.
var ErrManifest = errors.New("invalid manifest")

// ParseManifest reads a S3BatchOperations_CSV_20180820 manifest: one row
// per object, columns as fieldNames say, keys URL-encoded, no header.
func ParseManifest(data []byte, fieldNames []string) ([]Task, error) {
	f, aerr := fieldIndexes(fieldNames)
	if aerr != nil {
		return nil, fmt.Errorf("%w: %s", ErrManifest, aerr.Message)
	}
	width := max(f.bucket, f.key, f.version) + 1
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	var tasks []Task
	for line := 1; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return tasks, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrManifest, err)
		}
		t, err := taskOf(rec, f, width)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrManifest, line, err)
		}
		if len(tasks) >= maxTasks {
			return nil, fmt.Errorf("%w: more than %d rows", ErrManifest, maxTasks)
		}
		tasks = append(tasks, t)
	}
}

func taskOf(rec []string, f fields, width int) (Task, error) {
	if len(rec) < width {
		return Task{}, fmt.Errorf("%d columns, want at least %d", len(rec), width)
	}
	key, err := url.QueryUnescape(rec[f.key])
	if err != nil {
		return Task{}, fmt.Errorf("key %q is not URL-encoded: %v", rec[f.key], err)
	}
	t := Task{Bucket: rec[f.bucket], Key: key}
	if f.version >= 0 {
		t.VersionID = rec[f.version]
	}
	if t.Bucket == "" || t.Key == "" {
		return Task{}, errors.New("empty bucket or key")
	}
	return t, nil
}
