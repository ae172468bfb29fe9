package securityhubsvc

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// FindingIdentifier names a finding in BatchUpdateFindings.
type FindingIdentifier struct {
	ID         string `json:"Id"`
	ProductArn string `json:"ProductArn"`
}

type noteUpdate struct {
	Text      string `json:"Text"`
	UpdatedBy string `json:"UpdatedBy"`
}

type workflowUpdate struct {
	Status string `json:"Status"`
}

type updateInput struct {
	FindingIdentifiers []FindingIdentifier `json:"FindingIdentifiers"`
	Workflow           *workflowUpdate     `json:"Workflow"`
	Note               *noteUpdate         `json:"Note"`
	VerificationState  string              `json:"VerificationState"`
	// Fields the sandbox does not implement; refused when present.
	Severity          json.RawMessage `json:"Severity"`
	Confidence        json.RawMessage `json:"Confidence"`
	Criticality       json.RawMessage `json:"Criticality"`
	Types             json.RawMessage `json:"Types"`
	UserDefinedFields json.RawMessage `json:"UserDefinedFields"`
	RelatedFindings   json.RawMessage `json:"RelatedFindings"`
}

// UnprocessedFinding is one entry of UnprocessedFindings.
type UnprocessedFinding struct {
	FindingIdentifier FindingIdentifier `json:"FindingIdentifier"`
	ErrorCode         string            `json:"ErrorCode"`
	ErrorMessage      string            `json:"ErrorMessage"`
}

type updateOutput struct {
	ProcessedFindings   []FindingIdentifier  `json:"ProcessedFindings"`
	UnprocessedFindings []UnprocessedFinding `json:"UnprocessedFindings"`
}

var verificationStates = []string{"UNKNOWN", "TRUE_POSITIVE", "FALSE_POSITIVE", "BENIGN_POSITIVE"}

// decodeUpdate parses and checks a BatchUpdateFindings body.
func decodeUpdate(body []byte) (updateInput, *awsproto.Error) {
	var in updateInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return in, invalidInput("%s", err.Message)
	}
	switch n := len(in.FindingIdentifiers); {
	case n == 0:
		return in, invalidInput("FindingIdentifiers is required and must name at least 1 finding.")
	case n > 100:
		return in, invalidInput("FindingIdentifiers names %d findings; BatchUpdateFindings accepts at most 100 per call.", n)
	}
	for name, v := range map[string]json.RawMessage{"Severity": in.Severity, "Confidence": in.Confidence, "Criticality": in.Criticality,
		"Types": in.Types, "UserDefinedFields": in.UserDefinedFields, "RelatedFindings": in.RelatedFindings} {
		if len(v) > 0 && string(v) != "null" {
			return in, invalidInput("The sandbox's Security Hub updates Workflow, Note and VerificationState only, not %s.", name)
		}
	}
	if in.Workflow == nil && in.Note == nil && in.VerificationState == "" {
		return in, invalidInput("At least one of Workflow, Note or VerificationState must be given.")
	}
	return in, checkUpdateValues(in)
}

func checkUpdateValues(in updateInput) *awsproto.Error {
	if in.Workflow != nil && !slices.Contains(workflowStates, in.Workflow.Status) {
		return invalidInput("Workflow.Status %q is not one of %s.", in.Workflow.Status, strings.Join(workflowStates, ", "))
	}
	if n := in.Note; n != nil && (n.Text == "" || len(n.Text) > 512 || n.UpdatedBy == "" || len(n.UpdatedBy) > 512) {
		return invalidInput("Note needs Text and UpdatedBy, each 1 to 512 characters.")
	}
	if in.VerificationState != "" && !slices.Contains(verificationStates, in.VerificationState) {
		return invalidInput("VerificationState %q is not one of %s.", in.VerificationState, strings.Join(verificationStates, ", "))
	}
	return nil
}

func (s *Service) batchUpdate(c *svc.Call) (any, *awsproto.Error) {
	in, aerr := decodeUpdate(c.Body)
	if aerr != nil {
		return nil, aerr
	}
	out := updateOutput{ProcessedFindings: []FindingIdentifier{}, UnprocessedFindings: []UnprocessedFinding{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range in.FindingIdentifiers {
		f, ok := s.findings[findingKey{account: c.Caller.Account, region: c.Region, productArn: id.ProductArn, id: id.ID}]
		if !ok {
			out.UnprocessedFindings = append(out.UnprocessedFindings, UnprocessedFinding{FindingIdentifier: id,
				ErrorCode: "FindingNotFound", ErrorMessage: "Finding Not Found"})
			continue
		}
		f.doc = applyUpdate(f.doc, in, c)
		out.ProcessedFindings = append(out.ProcessedFindings, id)
	}
	return out, nil
}

// applyUpdate returns a copy of doc with the update applied: stored
// documents are never mutated, so a response being written keeps its view.
func applyUpdate(doc map[string]any, in updateInput, c *svc.Call) map[string]any {
	doc = maps.Clone(doc)
	now := c.Now.UTC().Format(time.RFC3339Nano)
	if in.Workflow != nil {
		doc["Workflow"] = map[string]any{"Status": in.Workflow.Status}
	}
	if in.Note != nil {
		doc["Note"] = map[string]any{"Text": in.Note.Text, "UpdatedBy": in.Note.UpdatedBy, "UpdatedAt": now}
	}
	if in.VerificationState != "" {
		doc["VerificationState"] = in.VerificationState
	}
	doc["UpdatedAt"] = now
	return doc
}
