package rotation

import (
	"errors"
	"fmt"

	"github.com/byok-dev/byok/internal/store"
)

// ErrOtherRunPending: the key's pending material was imported by another
// byok run (its KeyMaterialDescription is that run's ID). That run may be
// alive on this machine or another, with another state file: its material
// must never be deleted or rotated by anyone else.
var ErrOtherRunPending = errors.New("key has pending key material imported by another byok run")

// otherRunRefusal is the refusal for a key whose pending material m
// belongs to byok run other, or nil when m's description is not a run ID.
// Its hint sends the operator to that run, never to
// DeleteImportedKeyMaterial.
func otherRunRefusal(keyARN string, m Material) *Refusal {
	other, err := store.ParseRunID(m.Description)
	if err != nil {
		return nil
	}
	return &Refusal{KeyARN: keyARN, Err: fmt.Errorf("%w %s: pending material %s", ErrOtherRunPending, other, m.ID),
		Hint: fmt.Sprintf("run %s is rotating this key and may still be running, on this machine or another: "+
			"byok lock status shows its holder; when it has finished, plan again; if its process is gone, "+
			"continue it from the state file that holds it with byok resume %s --state <that file> "+
			"(or end it with byok runs abandon %s --state <that file>). "+
			"Do not delete that material: it is the run's new key material", other, other, other)}
}
