// Command zipbootstrap packs a Lambda "bootstrap" executable into a zip
// with the executable bit set (Lambda's provided.al2023 runtime refuses a
// bootstrap without it) and a fixed timestamp, so that the same binary
// always gives the same zip. It exists so building the Lambda needs no zip
// package, only Go.
//
// Usage: go run ./scripts/zipbootstrap -in dist/linux-arm64/bootstrap -out dist/byok-config-rule-arm64.zip
package main

import (
	"archive/zip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	in := flag.String("in", "", "the bootstrap executable")
	out := flag.String("out", "", "the zip to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "zipbootstrap:", err)
		os.Exit(1)
	}
}

func run(in, out string) (err error) {
	if in == "" || out == "" {
		return errors.New("both -in and -out are required")
	}
	src, err := os.Open(in)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(out)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
	}()
	zw := zip.NewWriter(dst)
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, src); err != nil {
		return fmt.Errorf("copy %s: %w", in, err)
	}
	return zw.Close()
}
