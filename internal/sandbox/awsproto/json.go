package awsproto

import (
	"bytes"
	"encoding/json"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
)

// JSONOperation extracts the operation from an X-Amz-Target header such as
// "TrentService.Encrypt" and checks the target prefix the service expects.
func JSONOperation(r *http.Request, prefix string) (string, *Error) {
	t := r.Header.Get("X-Amz-Target")
	if t == "" {
		return "", Errorf("MissingAction", "Missing X-Amz-Target header")
	}
	op, ok := strings.CutPrefix(t, prefix+".")
	if !ok || op == "" {
		return "", Errorf("UnknownOperationException", "")
	}
	return op, nil
}

// DecodeJSON decodes a JSON request body into v. Unknown fields are ignored,
// as AWS ignores them; malformed JSON and wrongly typed fields produce the
// SerializationException AWS returns.
func DecodeJSON(body []byte, v any) *Error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return Errorf("SerializationException", "%s", jsonErrorText(err))
	}
	return nil
}

func jsonErrorText(err error) string {
	var te *json.UnmarshalTypeError
	if ok := asTypeError(err, &te); ok {
		return "Unexpected value type in payload for field " + te.Field
	}
	return "Start of structure or map found where not expected."
}

func asTypeError(err error, target **json.UnmarshalTypeError) bool {
	te, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*target = te
	}
	return ok
}

// setCRC32 adds the X-Amz-Crc32 header DynamoDB (JSON 1.0) puts on every
// response; the SDK verifies it against the body.
func setCRC32(h http.Header, p Protocol, body []byte) {
	if p == JSON10 {
		h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	}
}

// WriteJSON writes a successful JSON-protocol response.
func WriteJSON(w http.ResponseWriter, p Protocol, requestID string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		WriteError(w, p, requestID, &Error{Status: 500, Code: "InternalFailure", Message: "response encoding failed", Server: true})
		return
	}
	h := w.Header()
	h.Set("Content-Type", jsonContentType(p))
	h.Set("x-amzn-RequestId", requestID)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	setCRC32(h, p, body)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// WriteResult writes a handler's outcome for a JSON-protocol service: the
// AWS-shaped error when err is set, else out as the response body.
func WriteResult(w http.ResponseWriter, p Protocol, requestID string, out any, err *Error) {
	if err != nil {
		WriteError(w, p, requestID, err)
		return
	}
	WriteJSON(w, p, requestID, out)
}
