package main

import (
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/migrate/s3objects"
	"github.com/byok-dev/byok/internal/rotation"
)

func TestS3ProgressLine(t *testing.T) {
	for name, tc := range map[string]struct {
		p    rotation.S3Progress
		want string
	}{
		"with total": {rotation.S3Progress{Bucket: "b", Progress: s3objects.Progress{Objects: 250, Total: 1000, Bytes: 3 << 20, Rate: 125, ETA: 6 * time.Second}},
			"b: 250/1000 (25%) objects, 3.0 MiB, 125 objects/s, ETA 6s"},
		"no total": {rotation.S3Progress{Bucket: "b", Progress: s3objects.Progress{Objects: 7, Rate: 3.4}},
			"b: 7 objects, 0.0 MiB, 3 objects/s"},
		"batch job": {rotation.S3Progress{Bucket: "b", JobID: "j-1", Progress: s3objects.Progress{Objects: 5, Total: 10}},
			"b: batch job j-1: 5/10 (50%) tasks done"},
	} {
		if got := s3ProgressLine(tc.p); got != tc.want {
			t.Errorf("%s: %q, want %q", name, got, tc.want)
		}
	}
}

func TestS3MigrationFlagsRefused(t *testing.T) {
	ok := s3MigrationFlags{batchThreshold: 1, inFlight: 1, multipartThreshold: s3objects.MinPartSize, verifySample: -1, checkpointEvery: 1}
	if err := ok.check("migrate apply"); err != nil {
		t.Fatalf("valid flags refused: %v", err)
	}
	for name, mod := range map[string]func(*s3MigrationFlags){
		"threshold":  func(f *s3MigrationFlags) { f.batchThreshold = 0 },
		"in flight":  func(f *s3MigrationFlags) { f.inFlight = 0 },
		"multipart":  func(f *s3MigrationFlags) { f.multipartThreshold = 1 },
		"sample":     func(f *s3MigrationFlags) { f.verifySample = 0 },
		"checkpoint": func(f *s3MigrationFlags) { f.checkpointEvery = 0 },
	} {
		f := ok
		mod(&f)
		err := f.check("migrate apply")
		var ee *exitError
		if !asExit(err, &ee) || ee.Code != exitUsage {
			t.Errorf("%s: %v, want a usage error", name, err)
		}
	}
}
