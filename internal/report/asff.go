package report

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/byok-dev/byok/internal/compliance"
)

// ASFF constants (AWS Security Finding Format).
const (
	ASFFSchemaVersion = "2018-10-08"
	ASFFGeneratorID   = "byok/kms-byok-rotation-policy"
	// ASFFType is namespace/category as Security Hub defines them.
	ASFFType = "Software and Configuration Checks/AWS Security Best Practices"
	// asffTime is RFC 3339 with milliseconds, as Security Hub shows it.
	asffTime = "2006-01-02T15:04:05.000Z07:00"
)

// ErrIncompleteResult is returned by the ASFF and OCSF writers for a result
// whose resource has no account or region: a finding needs both.
var ErrIncompleteResult = errors.New("result without account or region")

// ASFFFinding is one finding for BatchImportFindings. Field names are the
// ASFF's own.
type ASFFFinding struct {
	SchemaVersion         string             `json:"SchemaVersion"`
	ID                    string             `json:"Id"`
	ProductArn            string             `json:"ProductArn"`
	GeneratorID           string             `json:"GeneratorId"`
	AwsAccountID          string             `json:"AwsAccountId"`
	Types                 []string           `json:"Types"`
	CreatedAt             string             `json:"CreatedAt"`
	UpdatedAt             string             `json:"UpdatedAt"`
	Severity              ASFFSeverity       `json:"Severity"`
	Title                 string             `json:"Title"`
	Description           string             `json:"Description"`
	Resources             []ASFFResource     `json:"Resources"`
	Compliance            ASFFCompliance     `json:"Compliance"`
	Workflow              ASFFWorkflow       `json:"Workflow"`
	RecordState           string             `json:"RecordState"`
	ProductFields         map[string]string  `json:"ProductFields"`
	FindingProviderFields ASFFProviderFields `json:"FindingProviderFields"`
}

// ASFFSeverity is Severity; Original carries the byok reason.
type ASFFSeverity struct {
	Label    string `json:"Label"`
	Original string `json:"Original,omitempty"`
}

// ASFFResource is one entry of Resources.
type ASFFResource struct {
	Type      string `json:"Type"`
	ID        string `json:"Id"`
	Partition string `json:"Partition"`
	Region    string `json:"Region"`
}

// ASFFCompliance is Compliance.
type ASFFCompliance struct {
	Status string `json:"Status"`
}

// ASFFWorkflow is Workflow.
type ASFFWorkflow struct {
	Status string `json:"Status"`
}

// ASFFProviderFields is FindingProviderFields (what a provider may update).
type ASFFProviderFields struct {
	Severity ASFFSeverity `json:"Severity"`
	Types    []string     `json:"Types"`
}

var asffResourceTypes = map[compliance.ResourceType]string{
	compliance.RDSInstance:   "AwsRdsDbInstance",
	compliance.RDSCluster:    "AwsRdsDbCluster",
	compliance.DynamoDBTable: "AwsDynamoDbTable",
	compliance.S3Bucket:      "AwsS3Bucket",
}

var asffCompliance = map[compliance.Verdict]string{
	compliance.Compliant:        "PASSED",
	compliance.NonCompliant:     "FAILED",
	compliance.InsufficientData: "WARNING",
	compliance.NotApplicable:    "NOT_AVAILABLE",
	// An exempted resource still fails the control; the finding is
	// SUPPRESSED and ARCHIVED, never PASSED.
	compliance.Exempted: "FAILED",
}

// ASFFFindings converts results to findings, one per result, in output
// order. BatchImportFindings takes at most 100 per call and must be called
// in the finding's region from its AwsAccountId (default product ARN).
func ASFFFindings(rep Report) ([]ASFFFinding, error) {
	out := make([]ASFFFinding, 0, len(rep.Results))
	at := rep.Meta.ScanTime.UTC().Format(asffTime)
	for _, r := range sorted(rep.Results) {
		f, err := asffFinding(r, at)
		addKeyFields(f.ProductFields, r, keyDataOf(rep, r))
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func asffFinding(r compliance.Result, at string) (ASFFFinding, error) {
	res := r.Resource
	if res.Account == "" || res.Region == "" {
		return ASFFFinding{}, fmt.Errorf("%s %s: %w", res.Type.ShortName(), res.Label(), ErrIncompleteResult)
	}
	part := partition(res)
	rtype, ok := asffResourceTypes[res.Type]
	if !ok {
		rtype = "Other"
	}
	sev := ASFFSeverity{Label: SeverityOf(r).Label(), Original: string(r.Reason)}
	types := []string{ASFFType}
	return ASFFFinding{
		SchemaVersion:         ASFFSchemaVersion,
		ID:                    findingID(res),
		ProductArn:            "arn:" + part + ":securityhub:" + res.Region + ":" + res.Account + ":product/" + res.Account + "/default",
		GeneratorID:           ASFFGeneratorID,
		AwsAccountID:          res.Account,
		Types:                 types,
		CreatedAt:             at,
		UpdatedAt:             at,
		Severity:              sev,
		Title:                 limit(title(r), 256),
		Description:           limit(description(r), 1024),
		Resources:             []ASFFResource{{Type: rtype, ID: resourceID(res), Partition: part, Region: res.Region}},
		Compliance:            ASFFCompliance{Status: asffCompliance[r.Verdict]},
		Workflow:              ASFFWorkflow{Status: workflow(r.Verdict)},
		RecordState:           recordState(r.Verdict),
		ProductFields:         productFields(r),
		FindingProviderFields: ASFFProviderFields{Severity: sev, Types: types},
	}, nil
}

func workflow(v compliance.Verdict) string {
	switch v {
	case compliance.NonCompliant, compliance.InsufficientData:
		return "NEW"
	case compliance.Exempted:
		return "SUPPRESSED"
	}
	return "RESOLVED"
}

func recordState(v compliance.Verdict) string {
	if v == compliance.NotApplicable || v == compliance.Exempted {
		return "ARCHIVED"
	}
	return "ACTIVE"
}

func productFields(r compliance.Result) map[string]string {
	m := map[string]string{"byok/Verdict": r.Verdict.String(), "byok/Reason": string(r.Reason)}
	if r.KeyARN != "" {
		m["byok/KeyArn"] = r.KeyARN
	}
	if r.Resource.KeyRef != "" {
		m["byok/KeyRef"] = limit(r.Resource.KeyRef, 1024)
	}
	exceptionFields(m, r)
	return m
}

// findingID is stable per resource so a new scan updates the same finding.
// ASFF Ids are at most 512 characters; a longer one is hashed.
func findingID(res compliance.Resource) string {
	id := "byok/" + res.Account + "/" + res.Region + "/" + resourceID(res) + "/kms-byok-rotation"
	if len(id) <= 512 {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "byok/" + res.Account + "/" + res.Region + "/sha256-" + hex.EncodeToString(sum[:])
}

func title(r compliance.Result) string {
	res := r.Resource
	return fmt.Sprintf("KMS BYOK rotation policy: %s %s is %s (%s)", res.Type.ShortName(), res.Label(), r.Verdict, r.Reason)
}

func description(r compliance.Result) string {
	return r.Detail + ". byok checks that RDS, DynamoDB and S3 resources use their estate's KMS key with imported " +
		"material that is enabled, within the maximum material age and not about to expire."
}

// limit bounds s to n bytes on a rune boundary.
func limit(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
