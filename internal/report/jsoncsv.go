package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/byok-dev/byok/internal/compliance"
)

// jsonResult is the stable JSON shape of one result.
type jsonResult struct {
	Account      string `json:"account"`
	Region       string `json:"region"`
	ResourceType string `json:"resource_type"`
	ResourceID   string `json:"resource_id"`
	ResourceName string `json:"resource_name,omitempty"`
	ResourceARN  string `json:"resource_arn,omitempty"`
	Encryption   string `json:"encryption"`
	KeyRef       string `json:"key_ref,omitempty"`
	KeyARN       string `json:"key_arn,omitempty"`
	Verdict      string `json:"verdict"`
	Reason       string `json:"reason"`
	Detail       string `json:"detail"`
	Deleted      bool   `json:"deleted,omitempty"`
	keyData
	Severity  string         `json:"severity"`
	Fix       string         `json:"fix,omitempty"`
	Exception *exceptionData `json:"exception,omitempty"`
}

type jsonScan struct {
	Time            string      `json:"time"`
	Estate          string      `json:"estate"`
	SecurityAccount string      `json:"security_account"`
	Accounts        []string    `json:"accounts"`
	Regions         []string    `json:"regions"`
	Errors          []ScanError `json:"errors"`
	Version         string      `json:"version"`
}

type jsonReport struct {
	Results []jsonResult `json:"results"`
	Scan    jsonScan     `json:"scan"`
	Summary Summary      `json:"summary"`
}

func toJSONResult(rep Report, r compliance.Result) jsonResult {
	res := r.Resource
	kd := keyDataOf(rep, r)
	return jsonResult{
		Account: res.Account, Region: res.Region, ResourceType: string(res.Type), ResourceID: res.ID,
		ResourceName: res.Name, ResourceARN: res.ARN, Encryption: res.Encryption.String(),
		KeyRef: res.KeyRef, KeyARN: r.KeyARN, Verdict: r.Verdict.String(), Reason: string(r.Reason),
		Detail: r.Detail, Deleted: res.Deleted, keyData: kd, Severity: SeverityOf(r).Label(), Fix: Fix(r, kd.Alias),
		Exception: exceptionOf(r),
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// csvHeader is the CSV column order.
var csvHeader = []string{"account", "region", "resource_type", "resource_id", "resource_name", "resource_arn",
	"encryption", "key_ref", "key_arn", "verdict", "reason", "detail",
	"alias", "material_id", "material_age_days", "valid_to", "severity", "fix",
	"exception_resource", "exception_reason", "exception_approver", "exception_expires"}

// csvWriter writes a header row and one row per result.
type csvWriter struct {
	w    io.Writer
	cw   *csv.Writer
	head Report
}

func (c *csvWriter) Begin(head Report) error {
	c.head = head
	c.cw = csv.NewWriter(c.w)
	c.cw.UseCRLF = true
	if err := c.cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	return nil
}

func (c *csvWriter) Add(r compliance.Result) error {
	j := toJSONResult(c.head, r)
	age := ""
	if j.MaterialAgeDays != nil {
		age = strconv.Itoa(*j.MaterialAgeDays)
	}
	row := []string{j.Account, j.Region, j.ResourceType, j.ResourceID, j.ResourceName, j.ResourceARN,
		j.Encryption, j.KeyRef, j.KeyARN, j.Verdict, j.Reason, j.Detail,
		j.Alias, j.MaterialID, age, j.ValidTo, j.Severity, j.Fix}
	if x := j.Exception; x != nil {
		row = append(row, x.Resource, x.Reason, x.Approver, x.Expires)
	} else {
		row = append(row, "", "", "", "")
	}
	if err := c.cw.Write(row); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	return nil
}

func (c *csvWriter) End(Meta, Summary) error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	return nil
}
