package svc

import (
	"net/http"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

// Handlers are a JSON 1.1 service's operations by name.
type Handlers[S any] map[string]func(s *S, c *Call) (any, *awsproto.Error)

// ServeJSON11 answers c with h's operation on s: its result ({} when it
// has none) or its error, and UnknownOperationException naming service
// (e.g. "EventBridge") for an operation the sandbox does not serve.
func ServeJSON11[S any](w http.ResponseWriter, c *Call, s *S, h Handlers[S], service string) {
	op, ok := h[c.Op]
	if !ok {
		awsproto.WriteError(w, awsproto.JSON11, c.RequestID,
			awsproto.Errorf("UnknownOperationException", "the sandbox's %s does not serve %s", service, c.Op))
		return
	}
	out, err := op(s, c)
	if out == nil && err == nil {
		out = struct{}{}
	}
	awsproto.WriteResult(w, awsproto.JSON11, c.RequestID, out, err)
}
