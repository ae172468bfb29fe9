package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/store"
)

// Outcome is how a recorded rotation ended. The zero value is invalid.
type Outcome int

// Outcomes.
const (
	OutcomeUnknown Outcome = iota
	OutcomeSucceeded
	OutcomeFailed
	OutcomeStopped
	OutcomeRolledBack
	// OutcomeRefused: a requested key the run refused (nothing changed);
	// the entry's verification says why.
	OutcomeRefused
	// OutcomeLockReleased: an operator force-released a key lock (byok
	// lock release --force); the entry's verification names the holder
	// and the reason.
	OutcomeLockReleased
)

var outcomeNames = [...]string{"", "succeeded", "failed", "stopped", "rolled-back", "refused", "lock-released"}

func (o Outcome) String() string {
	if o <= OutcomeUnknown || int(o) >= len(outcomeNames) {
		return fmt.Sprintf("Outcome(%d)", int(o))
	}
	return outcomeNames[o]
}

// ParseOutcome reads a name written by String.
func ParseOutcome(s string) (Outcome, error) {
	for o := OutcomeSucceeded; int(o) < len(outcomeNames); o++ {
		if outcomeNames[o] == s {
			return o, nil
		}
	}
	return OutcomeUnknown, fmt.Errorf("outcome %q: %w", s, ErrInvalid)
}

// MarshalText writes the outcome's name (JSON export).
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads the outcome's name.
func (o *Outcome) UnmarshalText(b []byte) error {
	v, err := ParseOutcome(string(b))
	*o = v
	return err
}

// Entry is one audit record. Append sets Seq, PrevHash and Hash (and Time
// when zero); the caller fills the rest.
type Entry struct {
	Seq           int64           `json:"seq"`
	Time          time.Time       `json:"time"`
	Operator      string          `json:"operator"` // caller ARN
	ChangeRef     string          `json:"change_ref"`
	RunID         string          `json:"run_id"`
	KeyARN        string          `json:"key_arn"`
	Strategy      string          `json:"strategy"`
	OldMaterialID string          `json:"old_material_id"`
	NewMaterialID string          `json:"new_material_id"`
	OldKeyID      string          `json:"old_key_id"`
	NewKeyID      string          `json:"new_key_id"`
	BlobSHA256    string          `json:"blob_sha256"`
	Verification  json.RawMessage `json:"verification,omitempty"`
	Timings       json.RawMessage `json:"timings,omitempty"`
	Outcome       Outcome         `json:"outcome"`
	PrevHash      string          `json:"prev_hash"`
	Hash          string          `json:"hash"`
}

// GenesisHash is the PrevHash of entry 1: 64 zero hex digits.
var GenesisHash = strings.Repeat("0", 64)

// canonVersion starts every canonical encoding; a new encoding gets a new one.
const canonVersion = "byok-audit-v1\n"

// Canonical is the byte string Hash is computed over: "byok-audit-v1\n"
// followed by one line per field, in this order,
//
//	seq, time, operator, change_ref, run_id, key_arn, strategy,
//	old_material_id, new_material_id, old_key_id, new_key_id,
//	blob_sha256, verification, timings, outcome, prev_hash
//
// each written as NAME ":" LEN ":" VALUE "\n", where LEN is the decimal
// byte length of VALUE (so no value can be confused with a separator).
// VALUE is: seq in decimal; time as UTC "2006-01-02T15:04:05.000000000Z";
// strings as their UTF-8 bytes; verification and timings as stored
// (compact JSON; "" when absent or null, and then omitted from the JSON
// export); outcome as its name (e.g. "succeeded");
// prev_hash as 64 lowercase hex digits. Hash is lowercase hex SHA-256.
func Canonical(e Entry) []byte {
	var b bytes.Buffer
	b.WriteString(canonVersion)
	field := func(name, v string) {
		b.WriteString(name + ":" + strconv.Itoa(len(v)) + ":" + v + "\n")
	}
	field("seq", strconv.FormatInt(e.Seq, 10))
	field("time", store.FormatTime(e.Time))
	field("operator", e.Operator)
	field("change_ref", e.ChangeRef)
	field("run_id", e.RunID)
	field("key_arn", e.KeyARN)
	field("strategy", e.Strategy)
	field("old_material_id", e.OldMaterialID)
	field("new_material_id", e.NewMaterialID)
	field("old_key_id", e.OldKeyID)
	field("new_key_id", e.NewKeyID)
	field("blob_sha256", e.BlobSHA256)
	field("verification", string(e.Verification))
	field("timings", string(e.Timings))
	field("outcome", e.Outcome.String())
	field("prev_hash", e.PrevHash)
	return b.Bytes()
}

// ComputeHash is hex SHA-256 of Canonical(e).
func ComputeHash(e Entry) string {
	sum := sha256.Sum256(Canonical(e))
	return hex.EncodeToString(sum[:])
}

// compactJSON normalises a JSON document for storage and hashing.
func compactJSON(name string, doc json.RawMessage) (json.RawMessage, error) {
	if len(doc) == 0 {
		return nil, nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, doc); err != nil {
		return nil, fmt.Errorf("%s is not valid JSON: %w", name, ErrInvalid)
	}
	if b.String() == "null" { // stored and hashed as absent, so export round-trips
		return nil, nil
	}
	return b.Bytes(), nil
}
