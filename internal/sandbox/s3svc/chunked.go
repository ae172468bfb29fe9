package s3svc

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
)

// decodeChunked returns the payload of an aws-chunked body (SigV4
// streaming, used by the SDK for checksummed uploads): chunks of
// "hex-size[;chunk-signature=…]\r\n data \r\n" ending with a zero-size
// chunk and optional trailers. Other bodies are returned unchanged; a
// malformed stream yields what was decoded so far, which then fails XML
// validation with MalformedXML.
func decodeChunked(r *http.Request, body []byte) []byte {
	if !strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") &&
		!strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		return body
	}
	var out []byte
	for len(body) > 0 {
		line, rest, ok := bytes.Cut(body, []byte("\r\n"))
		if !ok {
			return out
		}
		sizeText, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(sizeText)), 16, 64)
		if err != nil || n < 0 || n > int64(len(rest)) {
			return out
		}
		if n == 0 {
			return out
		}
		out = append(out, rest[:n]...)
		body = bytes.TrimPrefix(rest[n:], []byte("\r\n"))
	}
	return out
}
