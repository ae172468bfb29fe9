package hsm

import (
	"fmt"
	"slices"
	"strings"
)

// WrappingAlgorithm is a KMS wrapping algorithm, spelled as KMS spells it.
// The zero value is invalid.
type WrappingAlgorithm int

// KMS wrapping algorithms (GetParametersForImport WrappingAlgorithm).
const (
	AlgorithmInvalid WrappingAlgorithm = iota
	RSAES_OAEP_SHA_1
	RSAES_OAEP_SHA_256
	RSA_AES_KEY_WRAP_SHA_1
	RSA_AES_KEY_WRAP_SHA_256
	// RSAES_PKCS1_V1_5 is known only so it can be refused by name.
	RSAES_PKCS1_V1_5
)

var algorithmNames = map[WrappingAlgorithm]string{
	RSAES_OAEP_SHA_1:         "RSAES_OAEP_SHA_1",
	RSAES_OAEP_SHA_256:       "RSAES_OAEP_SHA_256",
	RSA_AES_KEY_WRAP_SHA_1:   "RSA_AES_KEY_WRAP_SHA_1",
	RSA_AES_KEY_WRAP_SHA_256: "RSA_AES_KEY_WRAP_SHA_256",
	RSAES_PKCS1_V1_5:         "RSAES_PKCS1_V1_5",
}

// Algorithms lists the algorithms byok can wrap with, strongest hash first
// within each family; RSAES_PKCS1_V1_5 is not among them.
func Algorithms() []WrappingAlgorithm {
	return []WrappingAlgorithm{RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1, RSA_AES_KEY_WRAP_SHA_256, RSA_AES_KEY_WRAP_SHA_1}
}

func (a WrappingAlgorithm) String() string {
	if n, ok := algorithmNames[a]; ok {
		return n
	}
	return fmt.Sprintf("WrappingAlgorithm(%d)", int(a))
}

// ParseWrappingAlgorithm parses a KMS algorithm name (as in byok.yaml's
// policy.wrapping.algorithm). RSAES_PKCS1_V1_5 parses, so Wrap can refuse it
// with ErrPKCS1v15Refused; an unknown name is *UnknownAlgorithmError.
func ParseWrappingAlgorithm(s string) (WrappingAlgorithm, error) {
	for a, n := range algorithmNames {
		if n == s {
			return a, nil
		}
	}
	return AlgorithmInvalid, &UnknownAlgorithmError{Name: s}
}

// UnknownAlgorithmError is a wrapping algorithm name KMS does not define.
type UnknownAlgorithmError struct{ Name string }

func (e *UnknownAlgorithmError) Error() string {
	names := make([]string, 0, len(algorithmNames))
	for _, a := range Algorithms() {
		names = append(names, a.String())
	}
	return fmt.Sprintf("unknown wrapping algorithm %q (set policy.wrapping.algorithm to one of %s)", e.Name, strings.Join(names, ", "))
}

// usesAESKeyWrap reports whether a is one of the RSA_AES_KEY_WRAP family.
func (a WrappingAlgorithm) usesAESKeyWrap() bool {
	return a == RSA_AES_KEY_WRAP_SHA_1 || a == RSA_AES_KEY_WRAP_SHA_256
}

// valid reports whether a is an algorithm byok wraps with.
func (a WrappingAlgorithm) valid() bool {
	return slices.Contains(Algorithms(), a)
}
