package kmssvc

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"sort"
)

// Ciphertext blob format (version 1), all lengths in bytes:
//
//	[0]       version 0x01
//	[1:13]    owner account ID (12 ASCII digits)
//	[13]      n = length of the key ID
//	[14:14+n] key ID (UUID or mrk-…; the same in every Region of a multi-Region key)
//	next 32   key material ID (the 64 hex digits, decoded)
//	next 12   AES-GCM nonce
//	rest      AES-256-GCM ciphertext and 16-byte tag
//
// The AAD is the header (version through material ID) followed by the
// canonical encryption context, so neither can be altered, and a ciphertext
// names the exact material that decrypts it (old materials keep working
// after rotation).
const ctVersion = 0x01

var errBadCiphertext = errors.New("malformed ciphertext blob")

type ctHeader struct {
	account  string
	keyID    string
	material string // hex
	header   []byte // bytes covered as AAD
	nonce    []byte
	sealed   []byte
}

func appendHeader(dst []byte, account, keyID, matID string) []byte {
	dst = append(dst, ctVersion)
	dst = append(dst, account...)
	dst = append(dst, byte(len(keyID)))
	dst = append(dst, keyID...)
	raw, _ := hex.DecodeString(matID)
	return append(dst, raw...)
}

// seal encrypts plaintext under m for key k with the encryption context.
func seal(k *key, m *material, plaintext []byte, ctx map[string]string) []byte {
	out := appendHeader(make([]byte, 0, 64+12+len(plaintext)+16), k.Account, k.ID, m.ID)
	nonce := make([]byte, 12)
	_, _ = rand.Read(nonce)
	aad := appendContext(append([]byte(nil), out...), ctx)
	out = append(out, nonce...)
	return m.aead.Seal(out, nonce, plaintext, aad)
}

func parseCiphertext(b []byte) (*ctHeader, error) {
	if len(b) < 14 || b[0] != ctVersion {
		return nil, errBadCiphertext
	}
	n := int(b[13])
	end := 14 + n + 32
	if len(b) < end+12+16 {
		return nil, errBadCiphertext
	}
	h := &ctHeader{account: string(b[1:13]), keyID: string(b[14 : 14+n]),
		material: hex.EncodeToString(b[14+n : end]), header: b[:end], nonce: b[end : end+12], sealed: b[end+12:]}
	if !validKeyID(h.keyID) || !digits(h.account) {
		return nil, errBadCiphertext
	}
	return h, nil
}

// open decrypts a parsed blob with m.
func open(h *ctHeader, m *material, ctx map[string]string) ([]byte, error) {
	aad := appendContext(append([]byte(nil), h.header...), ctx)
	return m.aead.Open(nil, h.nonce, h.sealed, aad)
}

// appendContext encodes the encryption context canonically: pairs sorted
// by key, each as uvarint length + key, uvarint length + value.
func appendContext(dst []byte, ctx map[string]string) []byte {
	keys := make([]string, 0, len(ctx))
	for k := range ctx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		dst = binary.AppendUvarint(dst, uint64(len(k)))
		dst = append(dst, k...)
		dst = binary.AppendUvarint(dst, uint64(len(ctx[k])))
		dst = append(dst, ctx[k]...)
	}
	return dst
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) == 12
}
