package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Report file names.
const (
	JSONReportName = "demo-report.json"
	HTMLReportName = "demo-report.html"
)

// writeReports writes demo-report.json and demo-report.html into dir and
// returns their absolute paths.
func writeReports(dir string, rep *Report) (string, string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("create report directory: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", fmt.Errorf("report directory: %w", err)
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return "", "", fmt.Errorf("encode %s: %w", JSONReportName, err)
	}
	jsonPath := filepath.Join(abs, JSONReportName)
	if err := os.WriteFile(jsonPath, append(js, '\n'), 0o644); err != nil {
		return "", "", fmt.Errorf("write %s: %w", JSONReportName, err)
	}
	var html bytes.Buffer
	if err := renderHTML(&html, rep); err != nil {
		return jsonPath, "", fmt.Errorf("render %s: %w", HTMLReportName, err)
	}
	htmlPath := filepath.Join(abs, HTMLReportName)
	if err := os.WriteFile(htmlPath, html.Bytes(), 0o644); err != nil {
		return jsonPath, "", fmt.Errorf("write %s: %w", HTMLReportName, err)
	}
	return jsonPath, htmlPath, nil
}

// ReadReport reads a demo-report.json.
func ReadReport(path string) (Report, error) {
	var rep Report
	b, err := os.ReadFile(path)
	if err != nil {
		return rep, fmt.Errorf("read demo report: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		return rep, fmt.Errorf("decode %s: %w", path, err)
	}
	return rep, nil
}
