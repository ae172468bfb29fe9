package report

import "github.com/byok-dev/byok/internal/compliance"

// exceptionData is the estate exception a result carries, as fields:
// the exception that exempts it (verdict EXEMPTED) or the one that expired
// (verdict NON_COMPLIANT, Expired true).
type exceptionData struct {
	Resource string `json:"resource"`
	Reason   string `json:"reason"`
	Approver string `json:"approver"`
	Expires  string `json:"expires"`
	Finding  string `json:"finding,omitempty"`
	Expired  bool   `json:"expired"`
}

func exceptionOf(r compliance.Result) *exceptionData {
	x := r.Exception
	if x == nil {
		return nil
	}
	return &exceptionData{Resource: x.Pattern, Reason: x.Reason, Approver: x.Approver, Expires: x.ExpiresDate(),
		Finding: x.Finding, Expired: r.Verdict != compliance.Exempted}
}

// exceptionFields adds the exception to ASFF ProductFields.
func exceptionFields(m map[string]string, r compliance.Result) {
	x := exceptionOf(r)
	if x == nil {
		return
	}
	m["byok/ExceptionResource"] = limit(x.Resource, 1024)
	m["byok/ExceptionReason"] = limit(x.Reason, 1024)
	m["byok/ExceptionApprover"] = limit(x.Approver, 1024)
	m["byok/ExceptionExpires"] = x.Expires
	if x.Expired {
		m["byok/ExceptionExpired"] = "true"
	}
}
