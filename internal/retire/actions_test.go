package retire

import (
	"reflect"
	"testing"
)

// TestReadActionsCoverTheInterfaces: every method of the clients the
// evidence reads a consumer account through has its IAM action listed
// (so deploy's test of the verify role sees a new call).
func TestReadActionsCoverTheInterfaces(t *testing.T) {
	for _, iface := range []reflect.Type{reflect.TypeFor[Trail](), reflect.TypeFor[Objects](), reflect.TypeFor[RDS]()} {
		for i := range iface.NumMethod() {
			if m := iface.Method(i).Name; readActions[m] == "" {
				t.Errorf("%s.%s has no IAM action in readActions", iface.Name(), m)
			}
		}
	}
}
