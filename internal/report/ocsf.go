package report

import (
	"fmt"

	"github.com/byok-dev/byok/internal/compliance"
)

// OCSF Compliance Finding identifiers (schema 1.3.0).
const (
	OCSFVersion      = "1.3.0"
	OCSFClassUID     = 2003
	OCSFCategoryUID  = 2 // Findings
	OCSFActivityID   = 1 // Create
	OCSFTypeUID      = OCSFClassUID*100 + OCSFActivityID
	OCSFControl      = "byok/kms-byok-rotation-policy"
	OCSFStandard     = "byok KMS BYOK rotation policy"
	ocsfAWSAccountID = 10 // account.type_id "AWS Account"
)

// OCSFFinding is one Compliance Finding event.
type OCSFFinding struct {
	ActivityID   int    `json:"activity_id"`
	ActivityName string `json:"activity_name"`
	CategoryUID  int    `json:"category_uid"`
	CategoryName string `json:"category_name"`
	ClassUID     int    `json:"class_uid"`
	ClassName    string `json:"class_name"`
	TypeUID      int    `json:"type_uid"`
	TypeName     string `json:"type_name"`
	SeverityID   int    `json:"severity_id"`
	Severity     string `json:"severity"`
	StatusID     int    `json:"status_id"`
	Status       string `json:"status"`
	Time         int64  `json:"time"` // milliseconds since the epoch
	Message      string `json:"message"`

	Metadata    OCSFMetadata    `json:"metadata"`
	FindingInfo OCSFFindingInfo `json:"finding_info"`
	Compliance  OCSFCompliance  `json:"compliance"`
	Resources   []OCSFResource  `json:"resources"`
	Cloud       OCSFCloud       `json:"cloud"`
	// Unmapped carries what OCSF has no attribute for: the estate
	// exception of an EXEMPTED (or expired-exception) result.
	Unmapped *OCSFUnmapped `json:"unmapped,omitempty"`
}

// OCSFUnmapped is unmapped.
type OCSFUnmapped struct {
	Exception *exceptionData `json:"exception,omitempty"`
}

// OCSFMetadata is metadata.
type OCSFMetadata struct {
	Version  string      `json:"version"`
	Product  OCSFProduct `json:"product"`
	Profiles []string    `json:"profiles"`
}

// OCSFProduct is metadata.product.
type OCSFProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version"`
}

// OCSFFindingInfo is finding_info.
type OCSFFindingInfo struct {
	UID         string   `json:"uid"`
	Title       string   `json:"title"`
	Desc        string   `json:"desc"`
	CreatedTime int64    `json:"created_time"`
	Types       []string `json:"types"`
}

// OCSFCompliance is compliance.
type OCSFCompliance struct {
	Control      string   `json:"control"`
	Standards    []string `json:"standards"`
	Status       string   `json:"status"`
	StatusID     int      `json:"status_id"`
	StatusCode   string   `json:"status_code"`
	StatusDetail string   `json:"status_detail"`
}

// OCSFResource is one resource_details entry.
type OCSFResource struct {
	UID            string `json:"uid"`
	Name           string `json:"name,omitempty"`
	Type           string `json:"type"`
	Region         string `json:"region"`
	CloudPartition string `json:"cloud_partition"`
}

// OCSFCloud is cloud (the Cloud profile).
type OCSFCloud struct {
	Provider string      `json:"provider"`
	Account  OCSFAccount `json:"account"`
	Region   string      `json:"region"`
}

// OCSFAccount is cloud.account.
type OCSFAccount struct {
	UID    string `json:"uid"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
}

// ocsfStatus maps a verdict to compliance.status_id and its caption; 99 is
// OCSF's "Other", spelled by the source.
func ocsfStatus(v compliance.Verdict) (int, string) {
	switch v {
	case compliance.Compliant:
		return 1, "Pass"
	case compliance.InsufficientData:
		return 2, "Warning"
	case compliance.NonCompliant, compliance.Exempted:
		return 3, "Fail"
	case compliance.NotApplicable:
		return 99, "Not Applicable"
	}
	return 0, "Unknown"
}

// ocsfFindingStatus maps a verdict to the finding's status_id: open
// findings are New, the rest Resolved.
func ocsfFindingStatus(v compliance.Verdict) (int, string) {
	switch v {
	case compliance.NonCompliant, compliance.InsufficientData:
		return 1, "New"
	case compliance.Exempted:
		return 3, "Suppressed"
	}
	return 4, "Resolved"
}

// OCSFFindings converts results to Compliance Finding events, in output order.
func OCSFFindings(rep Report) ([]OCSFFinding, error) {
	out := make([]OCSFFinding, 0, len(rep.Results))
	ms := rep.Meta.ScanTime.UnixMilli()
	for _, r := range sorted(rep.Results) {
		res := r.Resource
		if res.Account == "" || res.Region == "" {
			return nil, fmt.Errorf("%s %s: %w", res.Type.ShortName(), res.Label(), ErrIncompleteResult)
		}
		out = append(out, ocsfFinding(r, ms, version(rep.Meta)))
	}
	return out, nil
}

func ocsfFinding(r compliance.Result, ms int64, ver string) OCSFFinding {
	res := r.Resource
	sev := SeverityOf(r)
	cid, cstatus := ocsfStatus(r.Verdict)
	fid, fstatus := ocsfFindingStatus(r.Verdict)
	return OCSFFinding{
		ActivityID: OCSFActivityID, ActivityName: "Create",
		CategoryUID: OCSFCategoryUID, CategoryName: "Findings",
		ClassUID: OCSFClassUID, ClassName: "Compliance Finding",
		TypeUID: OCSFTypeUID, TypeName: "Compliance Finding: Create",
		SeverityID: int(sev), Severity: sev.Caption(),
		StatusID: fid, Status: fstatus,
		Time: ms, Message: r.Detail,
		Metadata: OCSFMetadata{Version: OCSFVersion, Product: OCSFProduct{Name: "byok", VendorName: "byok", Version: ver},
			Profiles: []string{"cloud"}},
		FindingInfo: OCSFFindingInfo{UID: findingID(res), Title: limit(title(r), 256), Desc: r.Detail,
			CreatedTime: ms, Types: []string{string(r.Reason)}},
		Compliance: OCSFCompliance{Control: OCSFControl, Standards: []string{OCSFStandard},
			Status: cstatus, StatusID: cid, StatusCode: string(r.Reason), StatusDetail: r.Detail},
		Resources: []OCSFResource{{UID: resourceID(res), Name: res.Name, Type: string(res.Type),
			Region: res.Region, CloudPartition: partition(res)}},
		Cloud: OCSFCloud{Provider: "AWS", Region: res.Region,
			Account: OCSFAccount{UID: res.Account, Type: "AWS Account", TypeID: ocsfAWSAccountID}},
		Unmapped: ocsfUnmapped(r),
	}
}

func ocsfUnmapped(r compliance.Result) *OCSFUnmapped {
	if x := exceptionOf(r); x != nil {
		return &OCSFUnmapped{Exception: x}
	}
	return nil
}
