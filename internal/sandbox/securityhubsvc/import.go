package securityhubsvc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// Batch limits of BatchImportFindings.
const (
	MaxImportBatch  = 100
	MaxRequestBytes = 6 << 20
)

type importInput struct {
	Findings []json.RawMessage `json:"Findings"`
}

// ImportError is one entry of FailedFindings.
type ImportError struct {
	ID           string `json:"Id"`
	ErrorCode    string `json:"ErrorCode"`
	ErrorMessage string `json:"ErrorMessage"`
}

type importOutput struct {
	FailedCount    int           `json:"FailedCount"`
	SuccessCount   int           `json:"SuccessCount"`
	FailedFindings []ImportError `json:"FailedFindings"`
}

// customerFields are what BatchImportFindings cannot change once a finding
// exists: customers own them through BatchUpdateFindings.
var customerFields = []string{"Note", "UserDefinedFields", "VerificationState", "Workflow"}

// decodeImport parses a BatchImportFindings body and applies the
// request-level limits.
func decodeImport(body []byte) ([]json.RawMessage, *awsproto.Error) {
	if len(body) > MaxRequestBytes {
		return nil, invalidInput("The request is %d bytes; BatchImportFindings accepts at most 6 MB per call.", len(body))
	}
	var in importInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, invalidInput("%s", err.Message)
	}
	switch {
	case len(in.Findings) == 0:
		return nil, invalidInput("Findings is required and must contain at least 1 finding.")
	case len(in.Findings) > MaxImportBatch:
		return nil, invalidInput("Findings contains %d findings; BatchImportFindings accepts at most %d per call.", len(in.Findings), MaxImportBatch)
	}
	return in.Findings, nil
}

func (s *Service) batchImport(c *svc.Call) (any, *awsproto.Error) {
	raws, aerr := decodeImport(c.Body)
	if aerr != nil {
		return nil, aerr
	}
	out := importOutput{FailedFindings: []ImportError{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, raw := range raws {
		if fe := s.importOne(c, raw); fe != nil {
			out.FailedFindings = append(out.FailedFindings, *fe)
			continue
		}
		out.SuccessCount++
	}
	out.FailedCount = len(out.FailedFindings)
	return out, nil
}

// importOne validates and stores one finding; s.mu is held.
func (s *Service) importOne(c *svc.Call, raw json.RawMessage) *ImportError {
	doc, id, err := parseFinding(raw)
	if err != nil {
		return &ImportError{ID: orUnknown(id), ErrorCode: "InvalidInput", ErrorMessage: err.Error()}
	}
	acct := c.Caller.Account
	if doc["AwsAccountId"] != acct {
		return &ImportError{ID: id, ErrorCode: "AccessDeniedException", ErrorMessage: fmt.Sprintf(
			"Account %s is not allowed to import findings for AwsAccountId %v: call BatchImportFindings from the finding's account.", acct, doc["AwsAccountId"])}
	}
	want := fmt.Sprintf("arn:%s:securityhub:%s:%s:product/%s/default", s.env.Partition, c.Region, acct, acct)
	if doc["ProductArn"] != want {
		return &ImportError{ID: id, ErrorCode: "InvalidInput", ErrorMessage: fmt.Sprintf(
			"ProductArn %v is not a product this account can import to in %s; the account's default product is %s.", doc["ProductArn"], c.Region, want)}
	}
	key := findingKey{account: acct, region: c.Region, productArn: want, id: id}
	s.store(key, doc, c.Now)
	return nil
}

// parseFinding decodes one finding and checks it against the ASFF.
func parseFinding(raw json.RawMessage) (map[string]any, string, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return nil, "", asffError("data should be object.")
	}
	id, _ := doc["Id"].(string)
	if len(raw) > MaxFindingBytes {
		return nil, id, fmt.Errorf("Finding size %d bytes exceeds the 240 KB limit.", len(raw))
	}
	if err := validateASFF(doc); err != nil {
		return nil, id, err
	}
	return doc, id, nil
}

func orUnknown(id string) string {
	if id == "" {
		return "unknown"
	}
	return id
}

// store creates or updates a finding; s.mu is held. An update keeps the
// customer's fields and moves the workflow as Security Hub does: a finding
// whose compliance passes or that is archived leaves NEW/NOTIFIED for
// RESOLVED, one that fails again or is reactivated leaves RESOLVED for NEW.
func (s *Service) store(key findingKey, doc map[string]any, now time.Time) {
	doc["Region"] = key.region
	doc["ProcessedAt"] = now.UTC().Format(time.RFC3339Nano)
	if _, ok := doc["RecordState"]; !ok {
		doc["RecordState"] = "ACTIVE"
	}
	old, exists := s.findings[key]
	if !exists {
		if _, ok := doc["Workflow"].(map[string]any); !ok {
			doc["Workflow"] = map[string]any{"Status": "NEW"}
		}
		s.findings[key] = &finding{doc: doc, seq: len(s.findings)}
		return
	}
	for _, name := range customerFields {
		if v, ok := old.doc[name]; ok {
			doc[name] = v
		} else {
			delete(doc, name)
		}
	}
	doc["Workflow"] = map[string]any{"Status": nextWorkflow(old.doc, doc)}
	old.doc = doc
}

func nextWorkflow(old, cur map[string]any) string {
	status := workflowStatus(old)
	resolved := complianceStatus(cur) == "PASSED" || cur["RecordState"] == "ARCHIVED"
	reopened := (complianceStatus(old) == "PASSED" && complianceStatus(cur) != "PASSED" && complianceStatus(cur) != "") ||
		(old["RecordState"] == "ARCHIVED" && cur["RecordState"] == "ACTIVE")
	switch {
	case resolved && (status == "NEW" || status == "NOTIFIED"):
		return "RESOLVED"
	case reopened && status == "RESOLVED":
		return "NEW"
	}
	return status
}

func workflowStatus(doc map[string]any) string {
	if w, ok := doc["Workflow"].(map[string]any); ok {
		if s, ok := w["Status"].(string); ok {
			return s
		}
	}
	return "NEW"
}

func complianceStatus(doc map[string]any) string {
	if c, ok := doc["Compliance"].(map[string]any); ok {
		s, _ := c["Status"].(string)
		return s
	}
	return ""
}
