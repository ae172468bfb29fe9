// Package report renders compliance results for people and for machines:
// an aligned text table with a summary, JSON, CSV (RFC 4180), AWS Security
// Hub findings (ASFF) and OCSF Compliance Findings (class 2003).
//
// It owns the output formats only. It does not evaluate (package
// compliance does), does not send findings anywhere (no BatchImportFindings
// call, no I/O beyond the io.Writer it is given), and reads no clock: every
// timestamp comes from Meta.ScanTime. Output is deterministic: results are
// sorted by account, region, type and resource before they are written.
package report
