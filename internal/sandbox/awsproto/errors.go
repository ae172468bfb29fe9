package awsproto

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
)

// Protocol is an AWS wire protocol. The zero value is invalid.
type Protocol int

// Protocols the sandbox speaks.
const (
	ProtocolUnknown Protocol = iota
	JSON10                   // DynamoDB
	JSON11                   // KMS, CloudTrail, Config
	Query                    // STS, RDS
	RestXML                  // S3
	RestJSON                 // Security Hub
)

// Error is an AWS-shaped error: the code is the exception name the SDKs
// decode into a typed error (e.g. "NotFoundException").
type Error struct {
	Status  int    // HTTP status; 400 when zero
	Code    string // e.g. "KMSInvalidStateException"
	Message string
	// Sender is false for server-side faults (Query "Type" Receiver).
	Server bool
	// Extra are additional REST-XML elements (e.g. BucketName).
	Extra map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds a 400 client error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Message: fmt.Sprintf(format, args...)}
}

// StatusOr returns the error's HTTP status, 400 when unset.
func (e *Error) StatusOr() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

// NewRequestID returns a random UUID-shaped request ID.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// WriteError writes e in the shape protocol p uses.
func WriteError(w http.ResponseWriter, p Protocol, requestID string, e *Error) {
	switch p {
	case JSON10, JSON11, RestJSON:
		writeJSONError(w, p, requestID, e)
	case Query:
		writeQueryError(w, requestID, e)
	default:
		writeRestXMLError(w, requestID, e)
	}
}

func writeJSONError(w http.ResponseWriter, p Protocol, requestID string, e *Error) {
	body, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
	h := w.Header()
	h.Set("Content-Type", jsonContentType(p))
	h.Set("x-amzn-RequestId", requestID)
	h.Set("X-Amzn-ErrorType", e.Code)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	setCRC32(h, p, body)
	w.WriteHeader(e.StatusOr())
	_, _ = w.Write(body)
}

func jsonContentType(p Protocol) string {
	switch p {
	case JSON10:
		return "application/x-amz-json-1.0"
	case RestJSON:
		return "application/json"
	}
	return "application/x-amz-json-1.1"
}

type queryErrorBody struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

func writeQueryError(w http.ResponseWriter, requestID string, e *Error) {
	typ := "Sender"
	if e.Server {
		typ = "Receiver"
	}
	body, _ := xml.Marshal(queryErrorBody{Type: typ, Code: e.Code, Message: e.Message, RequestID: requestID})
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("x-amzn-RequestId", requestID)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.StatusOr())
	_, _ = w.Write(body)
}

func writeRestXMLError(w http.ResponseWriter, requestID string, e *Error) {
	buf := []byte(xml.Header + "<Error><Code>")
	buf = appendEscaped(buf, e.Code)
	buf = append(buf, "</Code><Message>"...)
	buf = appendEscaped(buf, e.Message)
	buf = append(buf, "</Message>"...)
	for k, v := range e.Extra {
		buf = append(buf, "<"+k+">"...)
		buf = appendEscaped(buf, v)
		buf = append(buf, "</"+k+">"...)
	}
	buf = append(buf, "<RequestId>"...)
	buf = appendEscaped(buf, requestID)
	buf = append(buf, "</RequestId></Error>"...)
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("x-amz-request-id", requestID)
	h.Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(e.StatusOr())
	_, _ = w.Write(buf)
}

func appendEscaped(b []byte, s string) []byte {
	var sb xmlBuf
	_ = xml.EscapeText(&sb, []byte(s))
	return append(b, sb...)
}

type xmlBuf []byte

func (b *xmlBuf) Write(p []byte) (int, error) { *b = append(*b, p...); return len(p), nil }
