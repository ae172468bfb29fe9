// Package svc is the contract between the sandbox server and the AWS
// services it hosts: the authenticated Call a service receives and the
// Service interface it implements. The server authenticates, routes by SigV4
// signing name, injects faults and counts calls; a service decodes its own
// protocol, applies AWS semantics and records CloudTrail events. Nothing
// here talks to the network.
package svc

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/clock"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	"github.com/byok-dev/byok/internal/sandbox/statelog"
	"github.com/byok-dev/byok/internal/sandbox/trail"
)

// Env is what every service shares.
type Env struct {
	Clock  *clock.Clock
	State  *statelog.Log
	IAM    *identity.Registry
	Trail  *trail.Store
	Logger *slog.Logger
	// Partition is "aws".
	Partition string
}

// Call is one authenticated request.
type Call struct {
	Req       *http.Request
	Body      []byte
	Op        string // e.g. "Encrypt"
	Region    string // from the SigV4 credential scope
	Caller    identity.Principal
	RequestID string
	Now       time.Time // sandbox clock at arrival
	SourceIP  string
	UserAgent string
}

// Service is one AWS service hosted by the sandbox.
type Service interface {
	// SigningName is the SigV4 service name ("kms", "sts", "s3", …).
	SigningName() string
	// Protocol is the wire protocol, used for errors the server writes.
	Protocol() awsproto.Protocol
	// Operation names the operation of r (before authentication succeeds
	// the server does not call it).
	Operation(r *http.Request, body []byte) (string, *awsproto.Error)
	// Serve handles an authenticated call and writes the response.
	Serve(w http.ResponseWriter, c *Call)
}

// Admin is implemented by services that expose admin operations under
// /_byok/<signing name>/… on the sandbox port (seeding, counters, events).
type Admin interface {
	AdminHandler() http.Handler
}

// KeyResolver lets other sandbox services resolve a KMS key reference the
// way AWS services do when a resource is created with a KMS key: a key ID,
// key ARN, alias name or alias ARN, resolved from the caller's account
// (bare IDs and alias names) and checked for usability by that caller
// (key policy allows it, key Enabled). Implemented by the KMS service.
type KeyResolver interface {
	ResolveKey(caller Call, ref string) (keyARN string, err error)
}
