package awsproto

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
)

// QueryForm parses a Query-protocol body (form-encoded) plus URL query.
func QueryForm(r *http.Request, body []byte) (url.Values, *Error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, Errorf("MalformedQueryString", "the request body is not a valid form encoding")
	}
	for k, vs := range r.URL.Query() {
		for _, x := range vs {
			v.Add(k, x)
		}
	}
	if v.Get("Action") == "" {
		return nil, Errorf("MissingAction", "Missing Action")
	}
	return v, nil
}

// WriteQuery writes a successful Query-protocol response. v must marshal to
// the <OpResponse> element with its <OpResult> and ResponseMetadata.
func WriteQuery(w http.ResponseWriter, requestID string, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		WriteError(w, Query, requestID, &Error{Status: 500, Code: "InternalFailure", Message: "response encoding failed", Server: true})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("x-amzn-RequestId", requestID)
	h.Set("Content-Length", strconv.Itoa(len(body)+len(xml.Header)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}

// ResponseMetadata is the trailer every Query response carries.
type ResponseMetadata struct {
	RequestID string `xml:"RequestId"`
}
