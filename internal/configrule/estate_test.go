package configrule

import (
	"context"
	"errors"
	"testing"
)

// Without a location in the rule parameters or the deployment default,
// the loader says what to set. Loading from S3 and SSM runs end to end
// once the sandbox serves objects (HeadObject/GetObject) or parameters.
func TestEstateLoaderNoLocation(t *testing.T) {
	_, err := (&EstateLoader{}).Estate(context.Background(), Params{})
	if !errors.Is(err, ErrEstate) {
		t.Fatalf("err = %v, want ErrEstate", err)
	}
}
