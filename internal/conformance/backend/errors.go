package backend

import (
	"errors"

	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// dtypesNotFound: a table the test deleted itself needs no cleanup.
type dtypesNotFound = dtypes.ResourceNotFoundException

func asErr[E error](err error, target *E) bool { return errors.As(err, target) }

// errNotRSA: KMS returned a wrapping key that is not RSA.
var errNotRSA = errors.New("wrapping public key is not RSA")
