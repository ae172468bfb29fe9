package main

import (
	"flag"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/byok-dev/byok/internal/migrate/s3objects"
	"github.com/byok-dev/byok/internal/rotation"
)

// s3MigrationFlags tune the S3 bucket method of migrate apply and resume.
type s3MigrationFlags struct {
	batchThreshold     int64
	inFlight           int
	batchRole          string
	batchBucket        string
	multipartThreshold int64
	verifySample       int
	checkpointEvery    int
}

func addS3MigrationFlags(fs *flag.FlagSet, f *s3MigrationFlags) {
	fs.Int64Var(&f.batchThreshold, "batch-threshold", 100_000, "S3: a bucket with more current objects is re-encrypted by an S3 Batch Operations job")
	fs.IntVar(&f.inFlight, "objects-in-flight", 32, "S3: objects copied at once by the in-process re-encryption")
	fs.StringVar(&f.batchRole, "batch-role", rotation.DefaultBatchRole, "S3: the role Batch Operations assumes in the bucket's account ({account} is replaced)")
	fs.StringVar(&f.batchBucket, "batch-bucket", rotation.DefaultBatchBucket, "S3: the bucket for Batch Operations manifests and reports ({account} and {region} are replaced)")
	fs.Int64Var(&f.multipartThreshold, "multipart-threshold", s3objects.MaxCopySize, "S3: objects larger than this (bytes) are copied in parts (UploadPartCopy)")
	fs.IntVar(&f.checkpointEvery, "checkpoint-every", 500, "S3: objects between two journal checkpoints of the in-process re-encryption")
	fs.IntVar(&f.verifySample, "verify-sample", 1000, "S3: current objects checked by the verify step (-1: all)")
}

func (f s3MigrationFlags) check(cmd string) error {
	switch {
	case f.batchThreshold < 1:
		return usageError(cmd, "--batch-threshold %d: give at least 1", f.batchThreshold)
	case f.inFlight < 1 || f.inFlight > 10000:
		return usageError(cmd, "--objects-in-flight %d: give 1–10000", f.inFlight)
	case f.multipartThreshold < s3objects.MinPartSize || f.multipartThreshold > s3objects.MaxCopySize:
		return usageError(cmd, "--multipart-threshold %d: give %d–%d bytes", f.multipartThreshold, s3objects.MinPartSize, s3objects.MaxCopySize)
	case f.checkpointEvery < 1:
		return usageError(cmd, "--checkpoint-every %d: give at least 1", f.checkpointEvery)
	case f.verifySample < -1 || f.verifySample == 0:
		return usageError(cmd, "--verify-sample %d: give a positive count or -1 for all", f.verifySample)
	}
	return nil
}

// apply sets the engine's S3 method options, with a progress line per
// bucket on a terminal (nothing when piped).
func (f s3MigrationFlags) apply(e *rotation.Engine, stderr io.Writer) {
	e.S3 = rotation.S3Migration{BatchThreshold: f.batchThreshold, InFlight: f.inFlight, BatchRole: f.batchRole,
		BatchBucket: f.batchBucket, MultipartThreshold: f.multipartThreshold, VerifySample: f.verifySample,
		CheckpointEvery: f.checkpointEvery}
	if isTerminal(stderr) {
		e.S3.Progress = s3ProgressPrinter(stderr)
	}
}

// s3ProgressPrinter rewrites one line per update: objects (of the total
// when known), bytes, rate and ETA, or the Batch Operations job's tasks.
func s3ProgressPrinter(w io.Writer) func(rotation.S3Progress) {
	var mu sync.Mutex
	return func(p rotation.S3Progress) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprint(w, "\r\033[K"+s3ProgressLine(p))
		if p.Total > 0 && p.Objects >= p.Total {
			fmt.Fprintln(w)
		}
	}
}

func s3ProgressLine(p rotation.S3Progress) string {
	total := ""
	if p.Total > 0 {
		total = fmt.Sprintf("/%d (%d%%)", p.Total, p.Objects*100/p.Total)
	}
	if p.JobID != "" {
		return fmt.Sprintf("%s: batch job %s: %d%s tasks done", p.Bucket, p.JobID, p.Objects, total)
	}
	line := fmt.Sprintf("%s: %d%s objects, %.1f MiB, %.0f objects/s", p.Bucket, p.Objects, total, float64(p.Bytes)/(1<<20), p.Rate)
	if p.ETA > 0 {
		line += ", ETA " + p.ETA.Round(time.Second).String()
	}
	return line
}
